"""The rooms of one server process: a cached copy of each open room's document, its
connections on this process (its members), and what they may do.

PostgreSQL is the truth. The cached Doc answers sync requests without a database read per
message.

An update reaches the room's connections twice over, kept apart: early, while its commit is in
flight (`share_early`: each connection sends it to its client at once), and once stored, in log
order into the cached Doc and the recent updates (`receive`). Each stored update carries the key
it was shared early under, so a connection that sent it early does not send it again. The
cached Doc holds only what is stored: it is what a client is asked to complete (sync step 1)
and what the store's log must stay causal against (`lacks`).

The cached Doc takes the room's updates strictly in log order: each stored update carries
the id of the one before it. An update that arrives before its predecessor waits here (the usual
case: two processes' relays crossing); if the predecessor has not come within RELAY_WAIT_S
(a relay Redis lost), the room reads the log. Applying in log order also means no update ever
waits inside pycrdt for a missing one: pycrdt 0.14 can lose such pending updates once more
arrive. The updates taken are applied to the Doc together, when it is next read (a sync
answer, a state vector) or once UNAPPLIED_KEPT wait: one transaction for many keystrokes.

The room keeps its recent updates, so each connection forwards to its client exactly the
updates after the last one it sent, in order, whichever way they reached the process. The room
hands its members every update and awareness change directly; the relay carries them to the
other processes. One member's failure (a connection closing mid-send) never reaches another.
Every DOC_RESYNC_S seconds the process checks all its open rooms against the log in one query,
and asks again what each connection may do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import time
from collections import deque
from collections.abc import Awaitable
from typing import NamedTuple, Protocol

from channels.db import database_sync_to_async
from pycrdt import Doc

from config.per_loop import PerLoop
from editor import awareness, limits
from editor.access import Access, gate
from editor.protocol import AwarenessEntry, Malformed, encode_awareness, parse_awareness
from editor.store import SNAPSHOT_EVERY, LoadedDoc, docstore
from editor.writer import fold_later, writer
from editor.yupdate import read_state_vector
from relay import MISSED, Relayed, relay

log = logging.getLogger(__name__)

RECENT_UPDATES = 2000
# What processes tell each other about a room (relay kinds).
AWARENESS, AWARENESS_QUERY, STORED, ACCESS = b"A", b"Q", b"S", b"X"
HURRY = b"H"  # an update here waits for a commit in flight: commit without the batch gap
EARLY, COMMITTED = b"E", b"C"  # an update whose commit is in flight; its key, once stored
UPDATE_IDS = struct.Struct(">qq")  # a stored update's id and its predecessor's
KEY_BYTES = 16  # an early update's key: the sending process and a number of its own
UNAPPLIED_KEPT = 100  # stored updates waiting to be applied to a room's cached Doc
EARLY_KEPT = 2000  # early updates from other processes kept until they are stored
AWARENESS_SEAT = struct.Struct(">q")  # the seat announcing relayed awareness, before it


class Entry(NamedTuple):
    """A stored update in the room's memory."""

    id: int
    prev_id: int
    update: bytes
    origin: int  # the number of the connection on this process that sent it (0: none here)
    key: bytes = b""  # the key it was shared early under (b"": not shared early)


class Member(Protocol):
    """A connection of this process to the room."""

    number: int  # unique on this process
    access: Access
    own_awareness: dict[int, AwarenessEntry]  # the awareness states its client sent

    async def forward(self) -> None:
        """Send the client the room's updates it has not seen yet."""

    async def send_early(self, key: bytes, update: bytes) -> None:
        """Send the client an update whose commit is in flight."""

    async def ask_missing(self, state: bytes) -> None:
        """Ask the client for what the store lacks (sync step 1 with the store's state)."""

    async def send_awareness(self, payload: bytes) -> None: ...

    async def change_access(self, access: Access) -> None:
        """What this connection may do changed: close it, or go on with the new rights."""


class RoomDoc:
    def __init__(self, room_id: str, loaded: LoadedDoc) -> None:
        self.room_id = room_id
        self._doc: Doc = loaded.doc
        # Stored updates not applied to the cached Doc yet: applied all at once in one
        # transaction when the Doc is read, or once UNAPPLIED_KEPT wait. A keystroke applied
        # in a transaction of its own costs twice as much, and most are never read alone.
        self.unapplied: list[bytes] = []
        self.last_id = loaded.last_id  # every update of the room up to here is taken
        self.stored_bytes = loaded.stored_bytes
        # Kept as plain tuples, which the garbage collector stops tracking (a NamedTuple it
        # tracks forever): a busy process keeps many thousands, and each tracked object
        # lengthens every full collection, during which no connection of the process moves.
        self.recent: deque[tuple[int, int, bytes, int, bytes]] = deque(maxlen=RECENT_UPDATES)
        # Updates shared early by another process, until their commit is relayed: key ->
        # (update, when it came).
        self.early: dict[bytes, tuple[bytes, float]] = {}
        self._state: dict[int, int] | None = None  # the cached Doc's state vector, decoded
        self.awareness: dict[int, AwarenessEntry] = {}
        self.announcers: dict[int, int] = {}  # awareness client id -> the seat announcing it
        self.members: set[Member] = set()
        self.lock = asyncio.Lock()
        self.waiting: dict[int, Entry] = {}  # arrived before its predecessor, by prev_id
        self._gap_tasks: set[asyncio.Task[None]] = set()

    @property
    def doc(self) -> Doc:
        """The cached Doc, holding every stored update taken so far."""
        if self.unapplied:
            self._apply_unapplied()
        return self._doc

    def _apply_unapplied(self) -> None:
        updates, self.unapplied = self.unapplied, []
        with self._doc.transaction():
            for update in updates:
                try:
                    self._doc.apply_update(update)
                except Exception:  # checked before it was stored: a bug, not the client's
                    log.exception("a stored update of room %s did not apply", self.room_id)

    def _append(self, entry: Entry) -> None:
        self.unapplied.append(entry.update)
        if len(self.unapplied) >= UNAPPLIED_KEPT:
            self._apply_unapplied()
        self.recent.append((entry.id, entry.prev_id, entry.update, entry.origin, entry.key))
        self._state = None
        self.last_id = entry.id
        self.stored_bytes += len(entry.update)

    def _append_waiting(self) -> None:
        """Apply the updates that waited for the one just applied, in order."""
        for prev_id in [prev_id for prev_id in self.waiting if prev_id < self.last_id]:
            if self.waiting[prev_id].id <= self.last_id:
                del self.waiting[prev_id]  # the log brought it already
        while self.last_id in self.waiting:
            self._append(self.waiting.pop(self.last_id))

    async def receive(
        self, update: bytes, update_id: int, prev_id: int, origin: int = 0, key: bytes = b""
    ) -> None:
        """A stored update, accepted here or relayed: applied in log order, once, and handed
        on to the room's connections."""
        if update_id <= self.last_id or prev_id in self.waiting:
            return
        entry = Entry(update_id, prev_id, update, origin, key)
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
            rows = await docstore().updates_after(self.room_id, self.last_id)
            for update_id, update in rows:
                if update_id > self.last_id:  # some may have arrived meanwhile, in order
                    self._append(Entry(update_id, self.last_id, update, 0))
            self._append_waiting()
        if rows:
            await self.forward_all()

    async def share_early(self, key: bytes, update: bytes, origin: int = 0) -> None:
        """An update whose commit is in flight goes to every connection but its sender's."""
        if origin == 0:  # from another process: kept until its commit is relayed
            if len(self.early) >= EARLY_KEPT:
                del self.early[next(iter(self.early))]
            self.early[key] = (update, time.monotonic())
        for member in list(self.members):
            if member.number != origin:
                await _isolated(member.send_early(key, update), member)

    async def committed(self, key: bytes, update_id: int, prev_id: int) -> None:
        """Another process stored the update it shared early under this key."""
        early = self.early.pop(key, None)
        if early is None:  # its early relay was lost: the log has it
            await self.refresh(wanted=update_id)
        else:
            await self.receive(early[0], update_id, prev_id, key=key)

    async def ask_for_lost(self, older_than: float) -> None:
        """Updates shared early whose commit never came (their process died first, or the
        relay lost the news): the clients that got them send what the store lacks, if
        anything (an empty answer costs nothing)."""
        give_up = time.monotonic() - older_than
        stale = [key for key, (_, came) in self.early.items() if came < give_up]
        if not stale:
            return
        for key in stale:
            del self.early[key]
        state = self.doc.get_state()
        for member in list(self.members):
            await _isolated(member.ask_missing(state), member)

    async def holds(self, needs: dict[int, int], wait_s: float) -> bool:
        """Whether the store holds all an update builds on, waiting up to `wait_s` for
        commits in flight, then reading the log."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + wait_s
        if self.lacks(needs):  # whichever process's writer holds it: not after its gap
            writer().hurry()
            relay().publish(self.room_id, HURRY)
        while self.lacks(needs):
            if loop.time() >= give_up:
                await self.refresh()
                return not self.lacks(needs)
            await asyncio.sleep(0.005)
        return True

    def lacks(self, needs: dict[int, int]) -> bool:
        """Whether an update with these needs (editor.yupdate) builds on something the store
        does not hold yet: another's edit shared early, whose commit is still in flight (or
        failed)."""
        if not needs:
            return False
        if self._state is None:
            self._state = read_state_vector(self.doc.get_state())
        state = self._state
        return any(state.get(client, 0) < clock for client, clock in needs.items())

    async def forward_all(self) -> None:
        for member in list(self.members):
            await _isolated(member.forward(), member)

    async def share_awareness(self, payload: bytes, seat_id: int, publish: bool = True) -> None:
        """Awareness (announced by this seat) goes to every connection, the sender's
        included; and to the other processes unless it came from there."""
        with contextlib.suppress(Malformed):
            self.note_awareness(parse_awareness(payload), seat_id)
        for member in list(self.members):
            await _isolated(member.send_awareness(payload), member)
        if publish:
            relay().publish(self.room_id, AWARENESS, AWARENESS_SEAT.pack(seat_id) + payload)

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

    def note_awareness(self, entries: list[AwarenessEntry], seat_id: int) -> None:
        for entry in entries:
            known = self.awareness.get(entry.client_id)
            if known is not None and known.clock > entry.clock:
                continue
            if entry.state == "null":
                self.awareness.pop(entry.client_id, None)
                self.announcers.pop(entry.client_id, None)
            else:
                self.awareness[entry.client_id] = entry
                self.announcers[entry.client_id] = seat_id

    def announced_by_another(self, client_id: int, seat_id: int) -> bool:
        """Another seat announces this awareness client id (a reconnecting browser keeps its
        id, and may take it back from its own connection that has not closed yet)."""
        announcer = self.announcers.get(client_id)
        return announcer is not None and announcer != seat_id

    def seats_here(self, seat_id: int | None) -> int:
        return sum(1 for member in self.members if member.access.seat_id == seat_id)

    def seats(self) -> list[int]:
        """The seats of this process's connections to the room."""
        return sorted({m.access.seat_id for m in self.members if m.access.seat_id is not None})

    async def recheck_access(self) -> None:
        """Ask again what each connection may do, and tell each one whose rights changed."""
        await recheck_rooms([self])

    async def apply_access(self, now: dict[int, Access]) -> None:
        """Tell each connection whose rights changed."""
        for member in list(self.members):
            access = now.get(member.access.seat_id)  # type: ignore[arg-type]
            if access is not None and access != member.access:
                await _isolated(member.change_access(access), member)


async def recheck_rooms(rooms: list[RoomDoc]) -> None:
    """Ask again what every connection of these rooms may do: one question to the gate."""
    seats = {room.room_id: seat_ids for room in rooms if (seat_ids := room.seats())}
    if not seats:
        return
    now = await database_sync_to_async(gate().recheck)(seats)
    for room in rooms:
        await room.apply_access(now.get(room.room_id, {}))


async def _isolated(work: Awaitable[None], member: Member) -> None:
    """One member's failure (its connection closing while we send) stays its own."""
    try:
        await work
    except Exception as error:
        log.info("connection %s of a room failed a send: %r", member.number, error)


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
                self._listen()
                # Subscribe first, then load: an update racing the load arrives through the
                # relay, and the room applies each update once.
                await relay().listen(room_id)
                loaded = await docstore().load(room_id)
                room = self.rooms[room_id] = RoomDoc(room_id, loaded)
                if loaded.tail >= SNAPSHOT_EVERY:  # written before folding was live
                    fold_later(room_id)
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
            await relay().unlisten(room.room_id)
        if not self.rooms and self.catching_up is not None:
            self.catching_up.cancel()

    def _listen(self) -> None:
        bus = relay()
        for kind in (EARLY, COMMITTED, HURRY, AWARENESS, AWARENESS_QUERY, STORED, ACCESS, MISSED):
            bus.on(kind, self.on_relayed)
        bus.on_recovered(self.recover)

    async def on_relayed(self, message: Relayed) -> None:
        """A message another process published about one of our rooms."""
        room = self.rooms.get(message.room_id)
        if room is None:
            return
        kind, body = message.kind, message.body
        if kind == EARLY and len(body) > KEY_BYTES:
            await room.share_early(body[:KEY_BYTES], body[KEY_BYTES:])
        elif kind == COMMITTED and len(body) == KEY_BYTES + UPDATE_IDS.size:
            update_id, prev_id = UPDATE_IDS.unpack_from(body, KEY_BYTES)
            await room.committed(body[:KEY_BYTES], update_id, prev_id)
        elif kind == HURRY:
            writer().hurry()
        elif kind in (EARLY, COMMITTED):
            log.warning("ignored a malformed relayed update in room %s", room.room_id)
        elif kind in (STORED, MISSED):
            await room.refresh()
        elif kind == ACCESS:
            await room.recheck_access()
        elif kind == AWARENESS and len(body) > AWARENESS_SEAT.size:
            (seat_id,) = AWARENESS_SEAT.unpack_from(body)
            safe = awareness.safe_entries(body[AWARENESS_SEAT.size :])
            if safe:
                await room.share_awareness(encode_awareness(safe), seat_id, publish=False)
        elif kind == AWARENESS_QUERY:
            for member in room.members:
                if member.own_awareness:
                    states = encode_awareness(list(member.own_awareness.values()))
                    seat = AWARENESS_SEAT.pack(member.access.seat_id or 0)
                    relay().publish(room.room_id, AWARENESS, seat + states)

    async def recover(self) -> None:
        """Redis works again after failing: whatever was relayed meanwhile, the log has."""
        rooms = list(self.rooms.values())
        for room in rooms:
            await room.refresh()
        await recheck_rooms(rooms)

    async def access_changed(self, room_id: str) -> None:
        room = self.rooms.get(room_id)
        if room is not None:
            await room.recheck_access()
        relay().publish(room_id, ACCESS)

    async def _catch_up_forever(self) -> None:
        """Every RESYNC_S seconds one query asks for the latest update id of every open room,
        and each room that is behind reads its log: this heals a relay Redis lost that no
        later relay revealed (the room's last one). One query per process, however many
        rooms and connections. Updates shared early that were never stored are asked back.
        What each connection may do is asked again too."""
        while self.rooms:
            await asyncio.sleep(limits.RESYNC_S)
            rooms = list(self.rooms.values())
            try:
                latest = await docstore().last_ids([room.room_id for room in rooms])
                for room in rooms:
                    if latest.get(room.room_id, 0) > room.last_id:
                        await room.refresh(wanted=latest[room.room_id])
                    await room.ask_for_lost(older_than=limits.RESYNC_S)
                await recheck_rooms(rooms)
            except Exception:  # the next round tries again
                log.warning("catch-up of open rooms failed", exc_info=True)


_hubs = PerLoop(Hub)


def hub() -> Hub:
    return _hubs.get()
