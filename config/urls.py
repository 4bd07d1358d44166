from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from rooms import views as room_views

urlpatterns = [
    path("healthz", room_views.healthz, name="healthz"),
    # Browsers ask every page's origin for /favicon.ico (the admin's pages name no icon).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rooms.api_urls")),
    path("questions/", include("questions.urls")),
    path("", include("rooms.review_urls")),
    path("", include("rooms.page_urls")),
    path("", include("rooms.urls")),
]
