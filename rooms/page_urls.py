from django.contrib.auth import views as auth_views
from django.urls import path

from rooms import pages

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("", pages.dashboard, name="dashboard"),
    path("rooms/new", pages.create_room, name="create_room"),
    path("r/<str:room_id>/links/<str:role>/new", pages.rotate_link, name="rotate_link"),
    path("r/<str:room_id>/", pages.room_page, name="room"),
]
