import asyncio
import contextlib

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the channel layer answer, 503 otherwise."""
    checks = {"database": False, "channel_layer": False}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = True
    except Exception:
        pass
    with contextlib.suppress(Exception):
        checks["channel_layer"] = async_to_sync(_channel_layer_round_trip)()
    ok = all(checks.values())
    return JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)


async def _channel_layer_round_trip() -> bool:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.probe"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    return message["type"] == "healthz.probe"
