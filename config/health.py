"""`GET /healthz`: 200 when the database and Redis (the relay between server processes)
answer, 503 otherwise; the embedded default has no Redis to ask."""

import asyncio

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from relay import redis


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": False, "channel_layer": not settings.REDIS_URL}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = True
    except Exception:
        pass
    if settings.REDIS_URL:
        checks["channel_layer"] = async_to_sync(_redis_answers)()
    ok = all(checks.values())
    return JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)


async def _redis_answers() -> bool:
    client = redis.client(settings.REDIS_URL)
    try:
        async with asyncio.timeout(2):
            return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()
