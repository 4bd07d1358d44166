"""The document channel's database work, from the event loop itself.

On PostgreSQL each server process keeps its own asyncio psycopg connections: one for writing
update batches, one for reads (catch-up, loading a room). A thread per query would cost more
than the query on a busy process: the thread waits for the interpreter at every hand-over,
up to a whole GIL switch interval each time. On the embedded default (SQLite) the work runs
on Django's connection in editor.dbthread's threads, as it must.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg
from django.db import connection

from editor import dbthread, store

T = TypeVar("T")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


async def connect() -> psycopg.AsyncConnection[Any]:
    """An asyncio connection to Django's database (autocommit: each statement string is its
    own transaction)."""
    params = connection.get_connection_params()
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    return await psycopg.AsyncConnection.connect(**params, autocommit=True)


class LoopConnection:
    """One asyncio connection, opened when first needed and again after it broke (e.g. a
    PostgreSQL restart). psycopg runs one statement at a time on it; callers queue."""

    def __init__(self) -> None:
        self.conn: psycopg.AsyncConnection[Any] | None = None

    async def run(self, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]) -> T:
        """Runs `work`; if the connection turns out broken, once more on a new one. Every
        caller's work may run twice: reads trivially, and a batch of Yjs updates stored twice
        changes nothing when applied (Yjs ignores what it has)."""
        if self.conn is None or self.conn.closed:
            self.conn = await connect()
        try:
            return await work(self.conn)
        except psycopg.OperationalError:
            await self.conn.close()
            self.conn = await connect()
            return await work(self.conn)

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None


class LoopDatabase:
    def __init__(self) -> None:
        self.reads = LoopConnection()
        self.writes = LoopConnection()

    async def close(self) -> None:
        await self.reads.close()
        await self.writes.close()
        _databases.pop(asyncio.get_running_loop(), None)

    async def store_updates(self, batch: list[store.PendingUpdate]) -> list[store.StoredUpdate]:
        if not on_postgresql():
            return await dbthread.run(
                dbthread.WRITES, functools.partial(store.store_updates, batch)
            )
        return await self.writes.run(lambda conn: store.store_updates_async(conn, batch))

    async def updates_after(self, room_id: str, after: int) -> list[tuple[int, bytes]]:
        if not on_postgresql():
            return await dbthread.run(
                dbthread.READS, functools.partial(store.updates_after, room_id, after)
            )
        return await self.reads.run(lambda conn: store.updates_after_async(conn, room_id, after))

    async def last_ids(self, room_ids: list[str]) -> dict[str, int]:
        if not on_postgresql():
            return await dbthread.run(dbthread.READS, functools.partial(store.last_ids, room_ids))
        return await self.reads.run(lambda conn: store.last_ids_async(conn, room_ids))

    async def load(self, room_id: str) -> store.LoadedDoc:
        if not on_postgresql():
            return await dbthread.run(dbthread.READS, functools.partial(store.load, room_id))
        return await self.reads.run(lambda conn: store.load_async(conn, room_id))


_databases: weakref.WeakKeyDictionary[Any, LoopDatabase] = weakref.WeakKeyDictionary()


def loopdb() -> LoopDatabase:
    """The running event loop's connections (one set per server process)."""
    loop = asyncio.get_running_loop()
    if loop not in _databases:
        _databases[loop] = LoopDatabase()
    return _databases[loop]
