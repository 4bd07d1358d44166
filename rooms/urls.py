from django.urls import path

from rooms import seat_views

urlpatterns = [
    path("r/<str:room_id>/join/<str:token>", seat_views.join, name="seat-join"),
    path("r/<str:room_id>/name", seat_views.name, name="seat-name"),
]
