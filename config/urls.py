from django.contrib import admin
from django.urls import include, path

from rooms import views as room_views

urlpatterns = [
    path("healthz", room_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rooms.api_urls")),
    path("questions/", include("questions.urls")),
    path("", include("rooms.review_urls")),
    path("", include("rooms.page_urls")),
    path("", include("rooms.urls")),
]
