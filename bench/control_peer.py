"""The control channel's peer for `bench/control_fanout.py`: a plain Channels consumer on
channels_redis's pub/sub layer, as a Channels tutorial would write a room chat. Every member
of a room joins its group; a `chat.send` goes to the whole group (`group_send`), each member's
consumer sends it on. No seats, no database, no rate limits.

    python -m daphne -b 127.0.0.1 -p PORT bench.control_peer:application  (REDIS_URL set)
"""

import os
from typing import Any

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
# Its own layer, before Channels first looks at the setting.
settings.CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": "peer"},
    }
}

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class RoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.group = f"room.{self.scope['url_route']['kwargs']['room_id']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "room.state"})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content.get("type") == "chat.send":
            message = {"type": "chat.message", "message": {"text": content.get("text", "")}}
            await self.channel_layer.group_send(self.group, message)

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "chat.message", "message": event["message"]})


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/rooms/<str:room_id>/", RoomConsumer.as_asgi())])}
)
