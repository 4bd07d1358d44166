"""The document's durable form in PostgreSQL: the update log and snapshots folded from it.

Every accepted Yjs update is one DocUpdate row (time, seat, bytes), kept for playback.
Inserts for one room are serialized by a transaction-scoped advisory lock, so a room's update
ids grow in commit order: a reader that has seen every id up to X can catch up by asking for
ids above X and never miss a row that commits late. Each stored update also learns the id of
the room's update before it, so whoever receives it through the channel layer can tell
whether it missed one (a lost relay) and must read the log first.
The log is in causal order (a client only builds on what the server stored before), so
applying it in id order never leaves an update waiting for a missing one.
Snapshots fold the log every SNAPSHOT_EVERY updates (applied to a Doc, then `get_update()`;
never `merge_updates`, which is superlinear), so loading a long room is one snapshot plus a
short tail.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from pycrdt import Doc, Text

from editor.models import DocSnapshot, DocUpdate
from rooms.models import RoomQuestion

SNAPSHOT_EVERY = 500


@dataclass
class PendingUpdate:
    room_id: str
    seat_id: int | None
    data: bytes


@dataclass(frozen=True)
class StoredUpdate:
    id: int
    prev_id: int  # the room's update before this one (0: none)


@dataclass
class LoadedDoc:
    doc: Doc
    last_id: int  # every update of the room with id <= last_id is applied
    stored_bytes: int  # snapshot size plus the tail's update sizes: the document-size guard
    tail: int = 0  # updates applied after the snapshot


def _room_lock_key(room_id: str) -> int:
    return zlib.crc32(room_id.encode()) - (1 << 31)


def last_ids(room_ids: list[str]) -> dict[str, int]:
    """Each room's latest update id (0: none yet)."""
    return {
        room_id: DocUpdate.objects.filter(room_id=room_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
        for room_id in room_ids
    }


def append_updates(batch: Sequence[PendingUpdate]) -> list[int]:
    """Store a batch of updates durably in one transaction; returns their ids in batch order."""
    return [stored.id for stored in store_updates(batch)]


def store_updates(batch: Sequence[PendingUpdate]) -> list[StoredUpdate]:
    """Store a batch of updates durably in one transaction; each learns its id and the id of
    its room's update before it (batch order)."""
    if not batch:
        return []
    if connection.vendor == "postgresql":
        last, ids = _insert_postgresql(batch)
    else:
        with transaction.atomic():
            last = last_ids(sorted({pending.room_id for pending in batch}))
            now = timezone.now()
            rows = DocUpdate.objects.bulk_create(
                [
                    DocUpdate(
                        room_id=pending.room_id, at=now, seat_id=pending.seat_id, data=pending.data
                    )
                    for pending in batch
                ]
            )
        ids = [row.id for row in rows]
    return _chain(batch, last, ids)


def _chain(
    batch: Sequence[PendingUpdate], last: dict[str, int], ids: list[int]
) -> list[StoredUpdate]:
    """Each stored update with the id of its room's update before it."""
    stored = []
    for pending, update_id in zip(batch, ids, strict=True):
        stored.append(StoredUpdate(update_id, last[pending.room_id]))
        last[pending.room_id] = update_id
    return stored


def _insert_postgresql(batch: Sequence[PendingUpdate]) -> tuple[dict[str, int], list[int]]:
    """The batch as one statement string (see _BATCH_SQL) on Django's connection; inside an
    outer atomic block it joins that transaction. Returns each room's last id before the batch
    and the new ids in batch order."""
    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as cursor:
        cursor.execute(_BATCH_SQL, _batch_params(batch))
        cursor.nextset()
        last_ids = {room_id: last_id or 0 for room_id, last_id in cursor.fetchall()}
        cursor.nextset()
        return last_ids, [update_id for (update_id,) in cursor.fetchall()]


async def store_updates_async(
    conn: psycopg.AsyncConnection[Any], batch: Sequence[PendingUpdate]
) -> list[StoredUpdate]:
    """store_updates on an asyncio connection (autocommit), for the server's event loop: the
    same statements in one round trip, with no thread to hand the interpreter back and forth
    (on a busy process, each such hand-over can wait a whole GIL switch interval)."""
    if not batch:
        return []
    async with psycopg.AsyncClientCursor(conn) as cursor:
        await cursor.execute(_BATCH_SQL, _batch_params(batch))
        cursor.nextset()
        last_ids = {room_id: last_id or 0 for room_id, last_id in await cursor.fetchall()}
        cursor.nextset()
        ids = [update_id for (update_id,) in await cursor.fetchall()]
    return _chain(batch, last_ids, ids)


def _batch_params(batch: Sequence[PendingUpdate]) -> list[Any]:
    rooms = sorted({pending.room_id for pending in batch})
    keys = sorted({_room_lock_key(room_id) for room_id in rooms})
    return [
        keys,
        rooms,
        timezone.now(),
        [pending.room_id for pending in batch],
        [pending.seat_id for pending in batch],
        [pending.data for pending in batch],
    ]


_TABLE = DocUpdate._meta.db_table
_LOCK_SQL = "SELECT count(pg_advisory_xact_lock(7301, key)) FROM unnest(%s::int[]) AS key"
_LAST_IDS_SQL = (
    f"SELECT r, (SELECT max(id) FROM {_TABLE} WHERE room_id = r) FROM unnest(%s::text[]) AS r"
)
# The time is the server's clock (timezone.now), but never before the room's latest update:
# that is read after the locks, so a room's times grow with its ids.
_INSERT_SQL = (
    f"INSERT INTO {_TABLE} (room_id, at, seat_id, data)"
    " SELECT u.room_id,"
    f" greatest(%s, (SELECT max(d.at) FROM {_TABLE} d WHERE d.room_id = u.room_id)),"
    " u.seat_id, u.data"
    " FROM unnest(%s::text[], %s::bigint[], %s::bytea[])"
    " WITH ORDINALITY AS u(room_id, seat_id, data, n)"
    " ORDER BY u.n RETURNING id"
)
_LATEST_SNAPSHOT_SQL = (
    f"SELECT upto, data FROM {DocSnapshot._meta.db_table}"
    " WHERE room_id = %s ORDER BY upto DESC LIMIT 1"
)
_UPDATES_AFTER_SQL = f"SELECT id, data FROM {_TABLE} WHERE room_id = %s AND id > %s ORDER BY id"
# The rooms' locks, their last ids and the insert, as one string: one round trip, and one
# transaction (PostgreSQL runs a string of statements as one), whose statements each see what
# committed before they start, so the last ids are read after the locks are held.
# The advisory locks serialize each room's inserts until the transaction ends, so a room's
# ids grow in commit order; keys are taken in ascending order, so two writers never wait on
# each other's locks in a cycle. (Not psycopg's pipeline mode: waiting for its results spins
# on a socket that is always writable, which cost a busy process a quarter of its time.)
_BATCH_SQL = f"{_LOCK_SQL}; {_LAST_IDS_SQL}; {_INSERT_SQL}"


def _apply_all(doc: Doc, updates: Iterable[bytes]) -> None:
    for update in updates:
        doc.apply_update(update)


def latest_snapshot(room_id: str, upto: int | None = None) -> DocSnapshot | None:
    snapshots = DocSnapshot.objects.filter(room_id=room_id)
    if upto is not None:
        snapshots = snapshots.filter(upto__lte=upto)
    return snapshots.order_by("-upto").first()


def load(room_id: str) -> LoadedDoc:
    """The room's whole document: the latest snapshot plus every update after it."""
    snapshot = latest_snapshot(room_id)
    if snapshot is None:
        return _loaded(None, updates_after(room_id, 0))
    return _loaded((snapshot.upto, bytes(snapshot.data)), updates_after(room_id, snapshot.upto))


def updates_after(room_id: str, last_id: int) -> list[tuple[int, bytes]]:
    """Updates of the room with id above last_id, in order: a cheap catch-up."""
    rows = DocUpdate.objects.filter(room_id=room_id, id__gt=last_id).order_by("id")
    return [(row_id, bytes(data)) for row_id, data in rows.values_list("id", "data")]


async def load_async(conn: psycopg.AsyncConnection[Any], room_id: str) -> LoadedDoc:
    """load() on an asyncio connection."""
    cursor = await conn.execute(_LATEST_SNAPSHOT_SQL, [room_id])
    snapshot = await cursor.fetchone()
    after = snapshot[0] if snapshot else 0
    return _loaded(snapshot, await updates_after_async(conn, room_id, after))


async def updates_after_async(
    conn: psycopg.AsyncConnection[Any], room_id: str, last_id: int
) -> list[tuple[int, bytes]]:
    """updates_after() on an asyncio connection."""
    cursor = await conn.execute(_UPDATES_AFTER_SQL, [room_id, last_id])
    return [(row_id, bytes(data)) for row_id, data in await cursor.fetchall()]


async def last_ids_async(conn: psycopg.AsyncConnection[Any], room_ids: list[str]) -> dict[str, int]:
    """last_ids() on an asyncio connection: one statement for all the rooms."""
    cursor = await conn.execute(_LAST_IDS_SQL, [room_ids])
    return {room_id: last_id or 0 for room_id, last_id in await cursor.fetchall()}


def _loaded(snapshot: tuple[int, bytes] | None, tail: list[tuple[int, bytes]]) -> LoadedDoc:
    doc: Doc = Doc()
    last_id, stored = 0, 0
    if snapshot is not None:
        doc.apply_update(bytes(snapshot[1]))
        last_id, stored = snapshot[0], len(snapshot[1])
    _apply_all(doc, (data for _, data in tail))
    if tail:
        last_id = tail[-1][0]
        stored += sum(len(data) for _, data in tail)
    return LoadedDoc(doc=doc, last_id=last_id, stored_bytes=stored, tail=len(tail))


def snapshot_if_due(room_id: str) -> DocSnapshot | None:
    """Fold the log into a new snapshot once SNAPSHOT_EVERY updates followed the last one."""
    snapshot = latest_snapshot(room_id)
    since = snapshot.upto if snapshot else 0
    tail = list(
        DocUpdate.objects.filter(room_id=room_id, id__gt=since)
        .order_by("id")
        .values_list("id", "at", "data")[:SNAPSHOT_EVERY]
    )
    if len(tail) < SNAPSHOT_EVERY:
        return None
    doc: Doc = Doc()
    if snapshot is not None:
        doc.apply_update(bytes(snapshot.data))
    _apply_all(doc, (bytes(data) for _, _, data in tail))
    upto, at, _ = tail[-1]
    return DocSnapshot.objects.create(room_id=room_id, upto=upto, at=at, data=doc.get_update())


def load_document(room_id: str) -> Doc:
    return load(room_id).doc


def text_of(room_id: str, names: Iterable[str] | None = None) -> dict[str, str]:
    """The current code of each named Y.Text (default: every question of the room's plan)."""
    doc = load_document(room_id)
    if names is None:
        names = [item.text_name for item in RoomQuestion.objects.filter(room_id=room_id)]
    return {name: str(doc.get(name, type=Text)) for name in names}


def code_of(doc: Doc, name: str) -> str:
    return str(doc.get(name, type=Text))


def insert_starter_code(
    room_id: str, text_name: str, code: str, seat_id: int | None = None
) -> bytes | None:
    """Insert a question's starter code into its Y.Text exactly once, as an update of its own.

    The server does it (not the browsers), under a lock on the plan row, so two browsers or two
    processes racing can never double it. Returns the stored update to relay, or None.
    """
    question_id = int(text_name.removeprefix("q-"))
    with transaction.atomic():
        item = (
            RoomQuestion.objects.select_for_update()
            .filter(room_id=room_id, question_id=question_id)
            .first()
        )
        if item is None or item.starter_inserted:
            return None
        item.starter_inserted = True
        item.save(update_fields=["starter_inserted"])
        if not code:
            return None
        doc = load_document(room_id)
        text = doc.get(text_name, type=Text)
        if len(text):  # someone typed before the question was shown: leave their code alone
            return None
        before = doc.get_state()
        text.insert(0, code)
        update = doc.get_update(before)
        append_updates([PendingUpdate(room_id, seat_id, update)])
    return update


def updates_between(
    room_id: str, start: datetime | None, end: datetime
) -> list[tuple[int, datetime, int | None, bytes]]:
    """The log rows of a room in a time range (for playback and the review page)."""
    rows = DocUpdate.objects.filter(room_id=room_id, at__lte=end)
    if start is not None:
        rows = rows.filter(at__gt=start)
    return [
        (row_id, at, seat_id, bytes(data))
        for row_id, at, seat_id, data in rows.order_by("id").values_list(
            "id", "at", "seat_id", "data"
        )
    ]
