from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.decorators.gzip import gzip_page
from drf_spectacular.views import SpectacularAPIView

from rooms import api, picker, views

urlpatterns = [
    # Pages
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    # The one-time link `create_room --interviewer` prints for a new account.
    path(
        "password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            post_reset_login=True,
            post_reset_login_backend="django.contrib.auth.backends.ModelBackend",
            success_url="/",
            template_name="registration/set_password.html",
        ),
        name="set-password",
    ),
    path("", views.dashboard, name="dashboard"),
    path("rooms/new", views.create_room, name="create_room"),
    path("r/<str:room_id>/links/<str:role>/new", views.renew_link, name="renew_link"),
    path("r/<str:room_id>/", views.room_page, name="room"),
    path("r/<str:room_id>/join/<str:token>", views.join, name="seat-join"),
    path("r/<str:room_id>/name", views.name, name="seat-name"),
    path("r/<str:room_id>/review/", views.review_page, name="review"),
    # The interviewer's question picker
    path("questions/search", picker.search, name="question-search"),
    path("questions/categories", picker.categories, name="question-categories"),
    # REST API v1
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/rooms/", api.RoomList.as_view(), name="api-rooms"),
    path("api/v1/rooms/<str:room_id>/", api.RoomDetail.as_view(), name="api-room"),
    path(
        "api/v1/rooms/<str:room_id>/transcript",
        api.TranscriptView.as_view(),
        name="api-transcript",
    ),
    path("api/v1/rooms/<str:room_id>/code", api.CodeAtView.as_view(), name="api-code"),
    # The whole log in one response: large for a long room, and compresses well.
    path(
        "api/v1/rooms/<str:room_id>/updates",
        gzip_page(api.UpdatesView.as_view()),
        name="api-updates",
    ),
    path(
        "api/v1/rooms/<str:room_id>/scorecard",
        api.ScorecardView.as_view(),
        name="api-scorecard",
    ),
]
