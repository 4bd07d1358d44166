"""The document store on the embedded default (SQLite, one server process).

Django's ORM on one thread of its own: SQLite takes one writer at a time anyway, and a single
thread keeps the process's writes in order. Reads go to the same thread, so a read sees every
write the process made before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from django.db import Error as DatabaseError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from editor import playback
from editor.models import DocBatch, DocUpdate
from editor.store import (
    Batch,
    DocStore,
    LoadedDoc,
    PendingUpdate,
    StoredUpdate,
    chain,
    loaded,
    rising_times,
    text_update,
)

T = TypeVar("T")

_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="doc-sqlite")
KEEP_BATCH_KEYS = timedelta(hours=1)  # a retry comes within seconds


class SqliteStore(DocStore):
    async def append(self, batch: Batch) -> list[StoredUpdate]:
        if not batch.updates:
            return []
        return await _run(lambda: _append(batch))

    async def updates_after(self, room_id: str, after: int) -> list[tuple[int, bytes]]:
        return await _run(lambda: _updates_after(room_id, after))

    async def last_ids(self, room_ids: list[str]) -> dict[str, int]:
        return await _run(lambda: {room_id: _last_id(room_id) for room_id in room_ids})

    async def load(self, room_id: str) -> LoadedDoc:
        return await _run(lambda: _load(room_id))

    async def insert_text(self, room_id: str, name: str, text: str) -> StoredUpdate | None:
        def insert() -> StoredUpdate | None:
            with transaction.atomic():
                update = text_update(_load(room_id).doc, name, text)
                if update is None:
                    return None
                return _append(Batch([PendingUpdate(room_id, None, update)]))[0]

        return await _run(insert)

    async def fold(self, room_id: str) -> int:
        return await _run(lambda: playback.fill_checkpoints(room_id))

    async def close(self) -> None:
        # The store's thread's own connection (`connection` is per thread: resolved there).
        await _run(lambda: connection.close())


def _last_id(room_id: str) -> int:
    rows = DocUpdate.objects.filter(room_id=room_id).order_by("-id")
    return rows.values_list("id", flat=True).first() or 0


def _append(batch: Batch) -> list[StoredUpdate]:
    with transaction.atomic():
        done = DocBatch.objects.filter(key=batch.key).values_list("ids", flat=True).first()
        if done is not None:  # a retry of a batch that committed after all
            return [StoredUpdate(update_id, _previous(update_id)) for update_id in done]
        last = {p.room_id: _last_id(p.room_id) for p in batch.updates}
        now = timezone.now()
        rows = DocUpdate.objects.bulk_create(
            DocUpdate(room_id=p.room_id, at=at, seat_id=p.seat_id, data=p.data)
            for p, at in zip(batch.updates, rising_times(batch.updates), strict=True)
        )
        ids = [row.id for row in rows]
        DocBatch.objects.create(key=batch.key, ids=ids, at=now)
        DocBatch.objects.filter(at__lt=now - KEEP_BATCH_KEYS).delete()
    return chain(batch.updates, last, ids)


def _previous(update_id: int) -> int:
    room_id = DocUpdate.objects.values_list("room_id", flat=True).get(id=update_id)
    earlier = DocUpdate.objects.filter(room_id=room_id, id__lt=update_id).order_by("-id")
    return earlier.values_list("id", flat=True).first() or 0


def _updates_after(room_id: str, after: int) -> list[tuple[int, bytes]]:
    rows = DocUpdate.objects.filter(room_id=room_id, id__gt=after).order_by("id")
    return [(row_id, bytes(data)) for row_id, data in rows.values_list("id", "data")]


def _load(room_id: str) -> LoadedDoc:
    snapshot = playback.latest_snapshot(room_id)
    if snapshot is None:
        return loaded(None, _updates_after(room_id, 0))
    state = (snapshot.upto, bytes(snapshot.data))
    return loaded(state, _updates_after(room_id, snapshot.upto))


def _fresh(function: Callable[[], T]) -> T:
    """Run with a usable connection; after a database error outside a transaction, reconnect
    and try once more (a batch is keyed, so a retried write is never stored twice)."""
    close_old_connections()
    try:
        return function()
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        return function()


async def _run(function: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_THREAD, _fresh, function)
