"""The document store on PostgreSQL, from the event loop itself.

Each server process keeps its own asyncio psycopg connections: one for writing update batches,
one for reads (catch-up, loading a room). A thread per query would cost more than the query on
a busy process: the thread waits for the interpreter at every hand-over, up to a whole GIL
switch interval each time. Folding snapshots (CPU work on Django's ORM) runs on a thread.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
from django.db import close_old_connections, connection

from editor import playback
from editor.models import DocBatch, DocSnapshot, DocUpdate
from editor.store import (
    Batch,
    DocStore,
    LoadedDoc,
    PendingUpdate,
    StoredUpdate,
    chain,
    loaded,
    rising_times,
    room_lock_key,
    text_update,
)

T = TypeVar("T")

FOLDS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="doc-folds")
PRUNE_EVERY = 1000  # batches; then batch keys older than an hour are deleted
_UPDATES = DocUpdate._meta.db_table
_BATCHES = DocBatch._meta.db_table
_SNAPSHOTS = DocSnapshot._meta.db_table

_LOCK_SQL = "SELECT count(pg_advisory_xact_lock(7301, key)) FROM unnest(%s::int[]) AS key"
_LAST_IDS_SQL = (
    f"SELECT r, (SELECT max(id) FROM {_UPDATES} WHERE room_id = r) FROM unnest(%s::text[]) AS r"
)
# A batch is one call of a function (editor migration 0003: the rooms' locks, their last ids
# read after the locks, the insert), one round trip and one transaction, its parameters bound
# by the server in binary. (Not a string of several statements: those need the client to
# quote every parameter into it, most of a batch's cost on our side. Not psycopg's pipeline
# mode: waiting for its results spins on a socket that is always writable, which cost a busy
# process a quarter of its time.)
_APPEND_SQL = (
    "SELECT r_room, r_id FROM editor_append_batch("
    "%b::int[], %b::text[], %b::text[], %b::bigint[], %b::bytea[], %b::timestamptz[], %b, %b)"
)
_BATCH_IDS_SQL = f"SELECT ids FROM {_BATCHES} WHERE key = %s"
_PREVIOUS_SQL = (
    f"SELECT u.id, coalesce((SELECT max(d.id) FROM {_UPDATES} d"
    " WHERE d.room_id = u.room_id AND d.id < u.id), 0)"
    f" FROM {_UPDATES} u WHERE u.id = ANY(%s) ORDER BY u.id"
)
_LATEST_SNAPSHOT_SQL = (
    f"SELECT upto, data FROM {_SNAPSHOTS} WHERE room_id = %s ORDER BY upto DESC LIMIT 1"
)
_UPDATES_AFTER_SQL = f"SELECT id, data FROM {_UPDATES} WHERE room_id = %s AND id > %s ORDER BY id"


async def connect() -> psycopg.AsyncConnection[Any]:
    """An asyncio connection to Django's database (autocommit: each statement string is its
    own transaction)."""
    params = connection.get_connection_params()
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    return await psycopg.AsyncConnection.connect(**params, autocommit=True)


Work = Callable[[psycopg.AsyncConnection[Any], bool], Awaitable[T]]


class LoopConnection:
    """One asyncio connection, opened when first needed and again after it broke (a PostgreSQL
    restart). psycopg runs one statement at a time on it; callers queue."""

    def __init__(self) -> None:
        self.conn: psycopg.AsyncConnection[Any] | None = None

    async def run(self, work: Work[T]) -> T:
        """Runs `work(conn, retried=False)`; if the connection turns out broken, once more on
        a new one with `retried=True` (the first attempt may have committed)."""
        if self.conn is None or self.conn.closed:
            self.conn = await connect()
        try:
            return await work(self.conn, False)
        except psycopg.OperationalError:
            await self.conn.close()
            self.conn = await connect()
            return await work(self.conn, True)

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
            self.conn = None


class PostgresStore(DocStore):
    def __init__(self) -> None:
        self.reads = LoopConnection()
        self.writes = LoopConnection()
        self.batches = 0

    async def close(self) -> None:
        await self.reads.close()
        await self.writes.close()

    async def append(self, batch: Batch) -> list[StoredUpdate]:
        if not batch.updates:
            return []
        self.batches += 1
        prune = self.batches % PRUNE_EVERY == 0
        return await self.writes.run(
            lambda conn, retried: self._append(conn, batch, retried, prune)
        )

    async def _append(
        self, conn: psycopg.AsyncConnection[Any], batch: Batch, retried: bool, prune: bool
    ) -> list[StoredUpdate]:
        if retried:
            done = await self._stored_already(conn, batch)
            if done is not None:
                return done
        return await _append_rows(conn, batch, prune)

    async def _stored_already(
        self, conn: psycopg.AsyncConnection[Any], batch: Batch
    ) -> list[StoredUpdate] | None:
        """The batch's stored updates if its first attempt committed after all."""
        row = await (await conn.execute(_BATCH_IDS_SQL, [batch.key])).fetchone()
        if row is None:
            return None
        ids = row[0] if isinstance(row[0], list) else json.loads(row[0])
        rows = await (await conn.execute(_PREVIOUS_SQL, [ids])).fetchall()
        return [StoredUpdate(update_id, prev_id) for update_id, prev_id in rows]

    async def updates_after(self, room_id: str, after: int) -> list[tuple[int, bytes]]:
        return await self.reads.run(lambda conn, _: _updates_after(conn, room_id, after))

    async def last_ids(self, room_ids: list[str]) -> dict[str, int]:
        async def read(conn: psycopg.AsyncConnection[Any], _: bool) -> dict[str, int]:
            cursor = await conn.execute(_LAST_IDS_SQL, [room_ids])
            return {room_id: last_id or 0 for room_id, last_id in await cursor.fetchall()}

        return await self.reads.run(read)

    async def load(self, room_id: str) -> LoadedDoc:
        return await self.reads.run(lambda conn, _: _load(conn, room_id))

    async def insert_text(self, room_id: str, name: str, text: str) -> StoredUpdate | None:
        # A connection of its own: its transaction spans several statements, which must not
        # interleave with the batches on the write connection.
        async with await connect() as conn, conn.transaction():
            await conn.execute(_LOCK_SQL, [[room_lock_key(room_id)]])
            update = text_update((await _load(conn, room_id)).doc, name, text)
            if update is None:
                return None
            batch = Batch([PendingUpdate(room_id, None, update)])
            return (await _append_rows(conn, batch, prune=False))[0]

    async def fold(self, room_id: str) -> int:
        return await _on_thread(FOLDS, functools.partial(playback.fill_checkpoints, room_id))


async def _append_rows(
    conn: psycopg.AsyncConnection[Any], batch: Batch, prune: bool
) -> list[StoredUpdate]:
    updates = batch.updates
    rooms = sorted({pending.room_id for pending in updates})
    params = [
        sorted({room_lock_key(room_id) for room_id in rooms}),
        rooms,
        [pending.room_id for pending in updates],
        [pending.seat_id for pending in updates],
        [pending.data for pending in updates],
        rising_times(updates),
        batch.key,
        prune,
    ]
    rows = await (await conn.execute(_APPEND_SQL, params)).fetchall()
    last = {room_id: last_id or 0 for room_id, last_id in rows if room_id is not None}
    ids = [update_id for room_id, update_id in rows if room_id is None]
    return chain(updates, last, ids)


async def _updates_after(
    conn: psycopg.AsyncConnection[Any], room_id: str, after: int
) -> list[tuple[int, bytes]]:
    cursor = await conn.execute(_UPDATES_AFTER_SQL, [room_id, after], binary=True)
    return [(row_id, bytes(data)) for row_id, data in await cursor.fetchall()]


async def _load(conn: psycopg.AsyncConnection[Any], room_id: str) -> LoadedDoc:
    # Binary results: bytea comes as its bytes, not as hex text twice its size to decode
    # (a 215 KB snapshot: 1.0-1.4 ms against 1.8-2.3).
    cursor = await conn.execute(_LATEST_SNAPSHOT_SQL, [room_id], binary=True)
    snapshot = await cursor.fetchone()
    after = snapshot[0] if snapshot else 0
    return loaded(snapshot, await _updates_after(conn, room_id, after))


def _with_fresh_connection(function: Callable[[], T]) -> T:
    close_old_connections()
    return function()


async def _on_thread(executor: ThreadPoolExecutor, function: Callable[[], T]) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, _with_fresh_connection, function)
