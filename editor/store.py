"""The document's durable form: the update log and snapshots folded from it, behind one
interface (DocStore) with two implementations: asyncio PostgreSQL (editor.store_postgres) and
SQLite on a thread for the embedded default (editor.store_sqlite).

Every accepted Yjs update is one DocUpdate row (time, author, bytes), kept for playback. A
room's update ids grow in commit order (each store serializes a room's writes), so a reader
that has seen every id up to X catches up by asking for ids above X and never misses a row
that commits late. Each stored update also learns the id of the room's update before it, so
whoever receives it through the relay can tell whether it missed one and must read the log.
The log is in causal order (a client only builds on what the server stored before), so
applying it in id order never leaves an update waiting for a missing one.
Snapshots fold the log every SNAPSHOT_EVERY updates (applied to a Doc, then `get_update()`;
never `merge_updates`, which is superlinear), so loading a long room is one snapshot plus a
short tail. A write batch carries a key: a store that lost its connection while committing
asks whether the batch made it before writing it again.
"""

from __future__ import annotations

import uuid
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone
from pycrdt import Doc, Text

from config.per_loop import PerLoop
from editor.playback import SNAPSHOT_EVERY

__all__ = ["SNAPSHOT_EVERY", "Batch", "DocStore", "LoadedDoc", "PendingUpdate", "StoredUpdate"]


@dataclass
class PendingUpdate:
    room_id: str
    seat_id: int | None
    data: bytes
    # When the server took it: its time in the log (the replay's steps), however the writer
    # batches its commits.
    at: datetime = field(default_factory=lambda: timezone.now())  # looked up when called


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


@dataclass
class Batch:
    """Updates written in one transaction, under a key that makes writing it twice harmless."""

    updates: Sequence[PendingUpdate]
    key: uuid.UUID = field(default_factory=uuid.uuid4)


class DocStore(ABC):
    """Where the live document channel reads and writes the log (one per server process)."""

    @abstractmethod
    async def append(self, batch: Batch) -> list[StoredUpdate]:
        """Store the batch durably in one transaction; each update learns its id and its
        room's previous id (batch order). A batch whose key is stored already is not stored
        again: its ids are returned."""

    @abstractmethod
    async def updates_after(self, room_id: str, after: int) -> list[tuple[int, bytes]]:
        """The room's updates with id above `after`, in order: a cheap catch-up."""

    @abstractmethod
    async def last_ids(self, room_ids: list[str]) -> dict[str, int]:
        """Each room's latest update id (0: none yet), in one query."""

    @abstractmethod
    async def load(self, room_id: str) -> LoadedDoc:
        """The room's whole document: the latest snapshot plus every update after it."""

    @abstractmethod
    async def insert_text(self, room_id: str, name: str, text: str) -> StoredUpdate | None:
        """Put `text` into the Y.Text `name` if nobody ever wrote to it, as an update of the
        server's own (no author), with the room's writes held off meanwhile so that two
        callers can never both insert it. None when nothing was inserted."""

    @abstractmethod
    async def fold(self, room_id: str) -> int:
        """Fold the room's due snapshots (off the write path); how many were made."""

    @abstractmethod
    async def close(self) -> None: ...


def new_store() -> DocStore:
    """A store on Django's database: PostgreSQL from the event loop, else SQLite on a thread."""
    if connection.vendor == "postgresql":
        from editor.store_postgres import PostgresStore

        return PostgresStore()
    from editor.store_sqlite import SqliteStore

    return SqliteStore()


_stores = PerLoop(new_store)


def docstore() -> DocStore:
    """The running event loop's store (one per server process)."""
    return _stores.get()


async def close_docstore() -> None:
    store = _stores.forget()
    if store is not None:
        await store.close()


# --- what both stores share ---------------------------------------------------------------


def rising_times(updates: Sequence[PendingUpdate]) -> list[datetime]:
    """Each update's time, never before an earlier one of its room in the batch (the store
    also keeps it from going before the room's latest stored update)."""
    latest: dict[str, datetime] = {}
    times = []
    for pending in updates:
        at = max(pending.at, latest.get(pending.room_id, pending.at))
        latest[pending.room_id] = at
        times.append(at)
    return times


def loaded(snapshot: tuple[int, bytes] | None, tail: list[tuple[int, bytes]]) -> LoadedDoc:
    """A document from its latest snapshot (upto, state) and the updates after it."""
    doc: Doc = Doc()
    last_id, stored = 0, 0
    if snapshot is not None:
        doc.apply_update(bytes(snapshot[1]))
        last_id, stored = snapshot[0], len(snapshot[1])
    apply_all(doc, (data for _, data in tail))
    if tail:
        last_id = tail[-1][0]
        stored += sum(len(data) for _, data in tail)
    return LoadedDoc(doc=doc, last_id=last_id, stored_bytes=stored, tail=len(tail))


def apply_all(doc: Doc, updates: Iterable[bytes]) -> None:
    for update in updates:
        doc.apply_update(update)


def chain(
    updates: Sequence[PendingUpdate], last: dict[str, int], ids: list[int]
) -> list[StoredUpdate]:
    """Each stored update with the id of its room's update before it."""
    stored = []
    for pending, update_id in zip(updates, ids, strict=True):
        stored.append(StoredUpdate(update_id, last.get(pending.room_id, 0)))
        last[pending.room_id] = update_id
    return stored


def text_update(doc: Doc, name: str, text: str) -> bytes | None:
    """The update that puts `text` into the never-written Y.Text `name` of `doc`, or None.

    A Y.Text exists in a stored document once anybody wrote to it, even if it is empty now
    (someone typed before the question was shown, or deleted the starter code): left alone."""
    if not text or name in doc.keys():  # noqa: SIM118 (a Doc is no dict)
        return None
    before = doc.get_state()
    doc.get(name, type=Text).insert(0, text)
    return doc.get_update(before)


def room_lock_key(room_id: str) -> int:
    """A room's key for locks that serialize its writes (a signed 32-bit integer)."""
    return zlib.crc32(room_id.encode()) - (1 << 31)
