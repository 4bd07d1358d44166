"""The rooms of one server process: a cached copy of each open room's document.

PostgreSQL is the truth. The cached Doc answers sync requests without a database read per
message. It takes the room's updates strictly in log order: each stored update carries the id
of the one before it. An update that arrives before its predecessor waits here (the usual
case: two processes' relays crossing); if the predecessor has not come within RELAY_WAIT_S
(a relay Redis lost), the room reads the log. Applying in log order also means no
update ever waits inside pycrdt for a missing one: pycrdt 0.14 can lose such pending updates
once more arrive.

The room keeps its recent updates, so each connection forwards to its client exactly the
updates after the last one it sent, in order, whichever way they reached the process. The
room knows its connections on this process (its members) and hands them every update and
awareness change directly; editor.relay carries them to the other processes. Every
DOC_RESYNC_S seconds the process checks all its open rooms against the log in one query.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import deque
from typing import NamedTuple, Protocol

from pycrdt import Doc

from editor import limits, store, writer
from editor.loopdb import loopdb
from editor.protocol import AwarenessEntry, Malformed, encode_awareness, parse_awareness
from editor.relay import AWARENESS, AWARENESS_QUERY, STORED, UPDATE, Relayed, relay

log = logging.getLogger(__name__)

RECENT_UPDATES = 2000


class Entry(NamedTuple):
    """A stored update in the room's memory."""

    id: int
    prev_id: int
    update: bytes
    origin: int  # the number of the connection on this process that sent it (0: none here)


class Member(Protocol):
    """A connection of this process to the room."""

    number: int  # unique on this process
    own_awareness: dict[int, AwarenessEntry]  # the awareness states its client sent

    async def forward(self) -> None:
        """Send the client the room's updates it has not seen yet."""

    async def send_awareness(self, payload: bytes) -> None: ...


class RoomDoc:
    def __init__(self, room_id: str, loaded: store.LoadedDoc) -> None:
        self.room_id = room_id
        self.doc: Doc = loaded.doc
        self.last_id = loaded.last_id  # every update of the room up to here is applied
        self.stored_bytes = loaded.stored_bytes
        # Kept as plain tuples, which the garbage collector stops tracking (a NamedTuple it
        # tracks forever): a busy process keeps many thousands, and each tracked object
        # lengthens every full collection, during which no connection of the process moves.
        self.recent: deque[tuple[int, int, bytes, int]] = deque(maxlen=RECENT_UPDATES)
        self.awareness: dict[int, AwarenessEntry] = {}
        self.members: set[Member] = set()
        self.lock = asyncio.Lock()
        self.waiting: dict[int, Entry] = {}  # arrived before its predecessor, by prev_id
        self._gap_tasks: set[asyncio.Task[None]] = set()

    def _append(self, entry: Entry) -> None:
        self.doc.apply_update(entry.update)
        self.recent.append((entry.id, entry.prev_id, entry.update, entry.origin))
        self.last_id = entry.id
        self.stored_bytes += len(entry.update)

    def _append_waiting(self) -> None:
        """Apply the updates that waited for the one just applied, in order."""
        for prev_id in [prev_id for prev_id in self.waiting if prev_id < self.last_id]:
            if self.waiting[prev_id].id <= self.last_id:
                del self.waiting[prev_id]  # the log brought it already
        while self.last_id in self.waiting:
            self._append(self.waiting.pop(self.last_id))

    async def receive(self, update: bytes, update_id: int, prev_id: int, origin: int = 0) -> None:
        """A stored update, accepted here or relayed: applied in log order, once, and handed
        on to the room's connections."""
        if update_id <= self.last_id or prev_id in self.waiting:
            return
        entry = Entry(update_id, prev_id, update, origin)
        if prev_id == self.last_id:
            self._append(entry)
            self._append_waiting()
            await self.forward_all()
            return
        self.waiting[prev_id] = entry
        asyncio.get_running_loop().call_later(limits.RELAY_WAIT_S, self._check_gap, update_id)

    def _check_gap(self, update_id: int) -> None:
        if self.last_id >= update_id:
            return  # the missing relay came
        task = asyncio.get_running_loop().create_task(self._fill_gap(update_id))
        self._gap_tasks.add(task)
        task.add_done_callback(self._gap_tasks.discard)

    async def _fill_gap(self, update_id: int) -> None:
        try:
            await self.refresh(wanted=update_id)
        except Exception:  # the periodic catch-up tries again
            log.warning("catch-up of room %s failed", self.room_id, exc_info=True)

    async def refresh(self, wanted: int | None = None) -> None:
        """Catch up from the log with every update stored since the last one applied."""
        async with self.lock:
            if wanted is not None and self.last_id >= wanted:
                return  # another connection's catch-up brought it meanwhile
            after = self.last_id
            rows = await loopdb().updates_after(self.room_id, after)
            for update_id, update in rows:
                if update_id > self.last_id:  # some may have arrived meanwhile, in order
                    self._append(Entry(update_id, self.last_id, update, 0))
            self._append_waiting()
        if rows:
            await self.forward_all()

    async def forward_all(self) -> None:
        for member in list(self.members):
            await member.forward()

    async def share_awareness(self, payload: bytes, publish: bool = True) -> None:
        """Awareness goes to every connection, the sender's included; and to the other
        processes unless it came from there."""
        with contextlib.suppress(Malformed):
            self.note_awareness(parse_awareness(payload))
        for member in list(self.members):
            await member.send_awareness(payload)
        if publish:
            relay().publish_awareness(self.room_id, payload)

    def updates_after(self, sent_id: int) -> list[Entry] | None:
        """The room's updates after `sent_id`, in order; None if they are no longer kept."""
        if sent_id >= self.last_id:
            return []
        found = []
        for recent in reversed(self.recent):
            found.append(recent)
            if recent[1] == sent_id:  # its prev_id
                return [Entry._make(recent) for recent in reversed(found)]
        return None

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
        self.catching_up: asyncio.Task[None] | None = None

    async def open(self, room_id: str, member: Member) -> RoomDoc:
        lock = self.loading.setdefault(room_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(room_id)
            if room is None:
                relay().handler = self.on_relayed
                # Subscribe first, then load: an update racing the load arrives through the
                # relay, and the room applies each update once.
                await relay().subscribe([room_id])
                loaded = await loopdb().load(room_id)
                room = self.rooms[room_id] = RoomDoc(room_id, loaded)
                if loaded.tail >= store.SNAPSHOT_EVERY:  # written before folding was live
                    writer.fold_later(room_id)
            else:
                await room.refresh()
            room.members.add(member)
            if self.catching_up is None or self.catching_up.done():
                self.catching_up = asyncio.get_running_loop().create_task(self._catch_up_forever())
            return room

    async def close(self, room: RoomDoc, member: Member) -> None:
        room.members.discard(member)
        if not room.members and self.rooms.get(room.room_id) is room:
            del self.rooms[room.room_id]
            self.loading.pop(room.room_id, None)
            await relay().unsubscribe(room.room_id)
        if not self.rooms and self.catching_up is not None:
            self.catching_up.cancel()

    async def on_relayed(self, message: Relayed) -> None:
        """A message another process published about one of our rooms."""
        room = self.rooms.get(message.room_id)
        if room is None:
            return
        if message.kind == UPDATE:
            await room.receive(message.payload, message.update_id, message.prev_id)
        elif message.kind == STORED:
            await room.refresh()
        elif message.kind == AWARENESS:
            await room.share_awareness(message.payload, publish=False)
        elif message.kind == AWARENESS_QUERY:
            states = [entry for m in room.members for entry in m.own_awareness.values()]
            if states:
                relay().publish_awareness(room.room_id, encode_awareness(states))

    async def _catch_up_forever(self) -> None:
        """Every RESYNC_S seconds one query asks for the latest update id of every open room,
        and each room that is behind reads its log: this heals a relay Redis lost that no
        later relay revealed (the room's last one). One query per process, however many
        rooms and connections. The subscriptions are renewed too (Redis may have dropped
        them)."""
        while self.rooms:
            await asyncio.sleep(limits.RESYNC_S)
            rooms = list(self.rooms.values())
            await relay().subscribe([room.room_id for room in rooms])
            try:
                latest = await loopdb().last_ids([room.room_id for room in rooms])
                for room in rooms:
                    if latest.get(room.room_id, 0) > room.last_id:
                        await room.refresh(wanted=latest[room.room_id])
            except Exception:  # the next round tries again
                log.warning("catch-up of open rooms failed", exc_info=True)


async def announce_stored(room_id: str) -> None:
    """Updates of the room were stored outside a connection (the server inserted starter
    code): this process's copy and every other process read them from the log."""
    room = hub().rooms.get(room_id)
    if room is not None:
        await room.refresh()
    relay().publish_stored(room_id)
    await relay().drain()  # a caller outside the server's loop may end it right after


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
