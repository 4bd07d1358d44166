from django.urls import path
from django.views.decorators.gzip import gzip_page
from drf_spectacular.views import SpectacularAPIView

from rooms import api

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("rooms/", api.RoomList.as_view(), name="api-rooms"),
    path("rooms/<str:room_id>/", api.RoomDetail.as_view(), name="api-room"),
    path("rooms/<str:room_id>/transcript", api.TranscriptView.as_view(), name="api-transcript"),
    path("rooms/<str:room_id>/code", api.CodeAtView.as_view(), name="api-code"),
    # The whole log in one response: large for a long room, and compresses well.
    path("rooms/<str:room_id>/updates", gzip_page(api.UpdatesView.as_view()), name="api-updates"),
    path("rooms/<str:room_id>/scorecard", api.ScorecardView.as_view(), name="api-scorecard"),
]
