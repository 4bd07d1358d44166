from django.urls import path

from editor.consumers import DocConsumer

websocket_urlpatterns = [
    path("ws/doc/<str:room_id>", DocConsumer.as_asgi()),
]
