"""Where a room's database work runs: one of a few threads, always the same one for a room.

Channels runs every `database_sync_to_async` call of a process on ONE thread, so each chat
message of every room waited for the queries of all the others. Here the control channel's
work for a room runs on one of `ROOM_DB_THREADS` threads, picked by the room's id: rooms run
side by side, while one room's calls still run one at a time in the order they were made (its
frames go out in the order its changes commit, as before). Each thread holds its own
PostgreSQL connection: `ROOM_DB_THREADS` connections per server process besides Channels' own
thread. With 0 (SQLite's default: one writer at a time anyway) Channels' thread does it all.

The busiest call, a chat message, is one statement (rooms.actions.chat); on a busy process a
thread costs it more than the statement does (the thread waits for the interpreter at each
hand-over). It runs on the event loop instead, on an asyncio PostgreSQL connection of the
room's own slot (`on_room_connection`: one per thread number, so a room stuck on a lock holds
up only the rooms of its slot, as on the threads). Either way a room's calls run one after
another in the order they were made (`in_room_order`), on its thread or on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
import zlib
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, connections

T = TypeVar("T")
log = logging.getLogger(__name__)

_threads: list[ThreadPoolExecutor] = []


def in_room_thread(room_id: str, func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """`func` as a coroutine function that runs on the room's database thread, after the
    room's earlier calls."""
    threads = _room_threads()
    if not threads:
        return database_sync_to_async(func)
    # One worker per executor: the same guarantees as Channels' own thread, per room.
    run = database_sync_to_async(func, thread_sensitive=False, executor=threads[thread_of(room_id)])

    async def ordered(*args: Any, **kwargs: Any) -> T:
        return await in_room_order(room_id, lambda: run(*args, **kwargs))

    return ordered


def on_the_loop() -> bool:
    """Whether the room's busiest calls run on the event loop (PostgreSQL with room threads)."""
    return bool(_room_threads()) and connection.vendor == "postgresql"


_tails: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Future[None]]] = (
    weakref.WeakKeyDictionary()
)


async def in_room_order(room_id: str, call: Callable[[], Awaitable[T]]) -> T:
    """`call()` once the room's earlier calls (on its thread or on the loop) have ended: a
    room's changes commit in the order they were asked for, and its frames go out so."""
    loop = asyncio.get_running_loop()
    tails = _tails.setdefault(loop, {})
    previous = tails.get(room_id)
    mine: asyncio.Future[None] = loop.create_future()
    tails[room_id] = mine

    def release(_: Any = None) -> None:
        if not mine.done():
            mine.set_result(None)
        if tails.get(room_id) is mine:
            del tails[room_id]

    try:
        if previous is not None and not previous.done():
            try:
                await asyncio.shield(previous)
            except asyncio.CancelledError:  # the next call still waits for the earlier one
                previous.add_done_callback(release)
                raise
        return await call()
    finally:
        if previous is None or previous.done():
            release()


class _LoopConnections:
    """The asyncio connections of one event loop, one per room slot, opened when first
    needed and again after one broke."""

    def __init__(self) -> None:
        self.slots: dict[int, psycopg.AsyncConnection[Any]] = {}
        self.opening: dict[int, asyncio.Lock] = {}

    async def get(self, slot: int) -> psycopg.AsyncConnection[Any]:
        async with self.opening.setdefault(slot, asyncio.Lock()):
            conn = self.slots.get(slot)
            if conn is None or conn.closed or conn.broken:
                self.slots[slot] = conn = await _connect()
            return conn


_loop_connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnections] = (
    weakref.WeakKeyDictionary()
)


async def on_room_connection(
    room_id: str, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]
) -> T:
    """`work(conn)` on the event loop, on the room's slot's connection (autocommit: each
    statement its own transaction), after the room's earlier calls. A connection that failed
    is closed and `work` not tried again (it may have committed): the next call opens one."""
    loop = asyncio.get_running_loop()
    conns = _loop_connections.setdefault(loop, _LoopConnections())
    slot = thread_of(room_id)

    async def run() -> T:
        conn = await conns.get(slot)
        try:
            return await work(conn)
        except psycopg.OperationalError:
            await conn.close()
            raise

    return await in_room_order(room_id, run)


async def _connect() -> psycopg.AsyncConnection[Any]:
    params = connection.get_connection_params()
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    return await psycopg.AsyncConnection.connect(**params, autocommit=True)


def _room_threads() -> list[ThreadPoolExecutor]:
    if not _threads:
        _threads.extend(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"room-db-{n}")
            for n in range(settings.ROOM_DB_THREADS)
        )
    return _threads


async def open_connections() -> None:
    """Open each room thread's database connection and each slot's on the event loop (a
    server process warming up), so the first messages after a start do not wait for them."""
    loop = asyncio.get_running_loop()
    slots = range(len(_room_threads())) if on_the_loop() else range(0)
    conns = _loop_connections.setdefault(loop, _LoopConnections())
    try:
        await asyncio.gather(
            *(asyncio.wrap_future(t.submit(_open_connection)) for t in _room_threads()),
            *(conns.get(slot) for slot in slots),
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
    """Close the room threads' database connections and the event loops' (a test's end, so
    its database can go)."""
    for thread in _threads:
        thread.submit(connections.close_all).result()
    for conns in list(_loop_connections.values()):
        for conn in conns.slots.values():
            conn.pgconn.finish()  # the loop may be gone: closed from here, without it
        conns.slots.clear()


__all__ = [
    "close_connections",
    "in_room_order",
    "in_room_thread",
    "on_room_connection",
    "on_the_loop",
    "open_connections",
    "thread_of",
]
