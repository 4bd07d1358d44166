"""The rooms of one server process: a cached copy of each open room's document.

PostgreSQL is the truth. The cached Doc answers sync requests without a database read per
message; it is kept current by every update this process accepts or receives through the
channel layer, and caught up from the log (`ids above last_id`) on join and on resync, so a
relay the channel layer dropped can never leave it, or a client, behind.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque

from pycrdt import Doc

from editor import dbthread, store, writer
from editor.protocol import AwarenessEntry

RECENT_IDS = 2000


class RoomDoc:
    def __init__(self, room_id: str, loaded: store.LoadedDoc) -> None:
        self.room_id = room_id
        self.doc: Doc = loaded.doc
        self.last_id = loaded.last_id
        self.stored_bytes = loaded.stored_bytes
        self.version = 0  # bumped on every change of self.doc
        self.awareness: dict[int, AwarenessEntry] = {}
        self.connections = 0
        self.refreshed_at = time.monotonic()
        self.lock = asyncio.Lock()
        self._recent: deque[int] = deque(maxlen=RECENT_IDS)
        self._recent_set: set[int] = set()

    def apply(self, update: bytes, update_id: int | None = None) -> None:
        if update_id is not None:
            if update_id in self._recent_set:
                return  # already applied through another connection of this process
            if len(self._recent) == self._recent.maxlen:
                self._recent_set.discard(self._recent[0])
            self._recent.append(update_id)
            self._recent_set.add(update_id)
        self.doc.apply_update(update)
        self.version += 1

    def accepted(self, update: bytes, update_id: int) -> None:
        self.stored_bytes += len(update)
        self.apply(update, update_id)

    async def refresh(self, min_interval_s: float = 0.0) -> None:
        """Catch up from the log with every update stored since the last look."""
        if time.monotonic() - self.refreshed_at < min_interval_s:
            return
        async with self.lock:
            rows = await dbthread.run(
                dbthread.READS, lambda: store.updates_after(self.room_id, self.last_id)
            )
            for update_id, update in rows:
                self.apply(update, update_id)
                self.last_id = update_id
            self.refreshed_at = time.monotonic()

    def note_awareness(self, entries: list[AwarenessEntry]) -> None:
        for entry in entries:
            known = self.awareness.get(entry.client_id)
            if known is not None and known.clock > entry.clock:
                continue
            if entry.state == "null":
                self.awareness.pop(entry.client_id, None)
            else:
                self.awareness[entry.client_id] = entry


class Hub:
    def __init__(self) -> None:
        self.rooms: dict[str, RoomDoc] = {}
        self.loading: dict[str, asyncio.Lock] = {}

    async def open(self, room_id: str) -> RoomDoc:
        lock = self.loading.setdefault(room_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(room_id)
            if room is None:
                loaded = await dbthread.run(dbthread.READS, lambda: store.load(room_id))
                room = self.rooms[room_id] = RoomDoc(room_id, loaded)
                if loaded.tail >= store.SNAPSHOT_EVERY:  # written before folding was live
                    writer.fold_later(room_id)
            else:
                await room.refresh()
            room.connections += 1
            return room

    def close(self, room: RoomDoc) -> None:
        room.connections -= 1
        if room.connections <= 0 and self.rooms.get(room.room_id) is room:
            del self.rooms[room.room_id]
            self.loading.pop(room.room_id, None)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
