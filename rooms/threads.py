"""Where a room's database work runs: one of a few threads, always the same one for a room.

Channels runs every `database_sync_to_async` call of a process on ONE thread, so each chat
message of every room waited for the queries of all the others. Here the control channel's
work for a room runs on one of `ROOM_DB_THREADS` threads, picked by the room's id: rooms run
side by side, while one room's calls still run one at a time in the order they were made (its
frames go out in the order its changes commit, as before). Each thread holds its own
PostgreSQL connection: `ROOM_DB_THREADS` connections per server process besides Channels' own
thread. With 0 (SQLite's default: one writer at a time anyway) Channels' thread does it all.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, connections

T = TypeVar("T")
log = logging.getLogger(__name__)

_threads: list[ThreadPoolExecutor] = []


def in_room_thread(room_id: str, func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """`func` as a coroutine function that runs on the room's database thread."""
    threads = _room_threads()
    if not threads:
        return database_sync_to_async(func)
    # One worker per executor: the same guarantees as Channels' own thread, per room.
    return database_sync_to_async(
        func, thread_sensitive=False, executor=threads[thread_of(room_id)]
    )


def _room_threads() -> list[ThreadPoolExecutor]:
    if not _threads:
        _threads.extend(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"room-db-{n}")
            for n in range(settings.ROOM_DB_THREADS)
        )
    return _threads


async def open_connections() -> None:
    """Open each room thread's database connection (a server process warming up), so the
    first messages after a start do not wait for them."""
    try:
        await asyncio.gather(
            *(asyncio.wrap_future(t.submit(_open_connection)) for t in _room_threads())
        )
    except Exception:  # a database still starting: the first messages open them as before
        log.warning("opening the room threads' database connections failed", exc_info=True)


def _open_connection() -> None:
    # Looked up here, on the room's thread: `connection` names each thread's own.
    connection.ensure_connection()


def thread_of(room_id: str) -> int:
    """The number of the room's thread (stable across processes)."""
    return zlib.crc32(room_id.encode()) % max(settings.ROOM_DB_THREADS, 1)


def close_connections() -> None:
    """Close the room threads' database connections (a test's end, so its database can go)."""
    for thread in _threads:
        thread.submit(connections.close_all).result()


__all__ = ["close_connections", "in_room_thread", "open_connections", "thread_of"]
