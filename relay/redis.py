"""The one place our Redis clients are configured: for long-lived connections that sit idle.

A quiet room sends nothing for minutes. A read timeout on such a connection is a false alarm
(redis-py 6+ defaults to 5 s, as long as channels_redis's blocking receive, so every idle
connection broke every few seconds); instead of one, TCP keepalive and a health-check PING
notice a dead connection. Commands that block on the server (a stream read) get a read
timeout longer than their block.
"""

from __future__ import annotations

import socket
from typing import Any

from redis import asyncio as aioredis

HEALTH_CHECK_S = 15  # a connection idle this long is PINGed before its next use
CONNECT_TIMEOUT_S = 3
COMMAND_TIMEOUT_S = 10  # a command that takes longer means Redis hangs: give up, try again later


def _keepalive() -> dict[int, int]:
    """Probe an idle TCP connection after 30 s, every 10 s, and drop it after 3 misses."""
    options = {}
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            options[getattr(socket, name)] = value
    return options


def options(blocking_s: float = 0) -> dict[str, Any]:
    """Connection options for a Redis client (also the channel layer's `hosts` entries).

    `blocking_s`: the longest a command of this client may block on the server (BLOCK, a
    blocking pop); the read timeout is longer than that."""
    return {
        "socket_timeout": COMMAND_TIMEOUT_S + blocking_s,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "socket_keepalive": True,
        "socket_keepalive_options": _keepalive(),
        "health_check_interval": HEALTH_CHECK_S,
    }


def client(url: str, blocking_s: float = 0) -> aioredis.Redis:
    return aioredis.Redis.from_url(url, **options(blocking_s))
