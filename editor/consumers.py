"""The document channel `ws/doc/<room_id>`: the y-websocket protocol over binary frames.

A connection learns what it may do from the access gate (editor.access) when it opens, and
again whenever access to its room changes: it closes, or goes on read-only. An update is
checked (size, rights, that pycrdt can apply it), handed to the writer, and relayed while its
commit is in flight: to the room's connections on this process directly (editor.hub), to the
other processes through Redis (relay). The connection goes on with its next frame meanwhile;
its updates are stored in the order they came, each only if the one before was
(editor.inflight). If a commit fails, the connection closes and the client syncs again,
sending what the store lacks. An update that builds on another's edit not stored yet waits
for that commit, and is otherwise not stored alone: the client is asked for everything the
store lacks (sync step 1), so the log stays causal. Sync requests are
answered from the process's cached copy of the stored document, caught up from the log
first. Each connection forwards to its client the room's stored updates in log order, from
the last one it sent, skipping those it sent early. Awareness is relayed to every connection,
the sender included, and a closed connection's awareness states are removed; a connection
speaks only for its own client (editor.awareness).

Redis is only a fast path, kept off the keystroke's path: publishing never waits for it. A
relay it loses costs nothing: the next relay shows the gap (each update names the one before
it) and the room reads the log; and every DOC_RESYNC_S seconds the process checks its open
rooms against the log. A Redis error never closes a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.sessions import InstanceSessionWrapper
from pycrdt._pycrdt import Doc as RawDoc

from config.ratelimit import TokenBucket
from config.ws_frames import frame_writer
from editor import awareness, limits
from editor.access import Access, gate
from editor.hub import AWARENESS_QUERY, COMMITTED, EARLY, UPDATE_IDS, RoomDoc, hub
from editor.inflight import CommitLine, InFlight
from editor.protocol import (
    AwarenessEntry,
    Malformed,
    create_awareness_message,
    create_sync_step1_message,
    create_sync_step2_message,
    create_update_message,
    encode_awareness,
    parse_awareness,
    parse_message,
)
from editor.store import PendingUpdate, StoredUpdate
from editor.yupdate import UnsafeUpdate, check_ids_and_ends
from relay import relay

log = logging.getLogger(__name__)
EMPTY_UPDATE = b"\x00\x00"
CHECK_ON_THREAD_BYTES = 32 * 1024
NOBODY = Access(seat_id=None, read=False)
SENT_EARLY_KEPT = 1000  # keys of updates a connection sent early, until they are stored
_numbers = itertools.count(1)  # connections of this process
_early_keys = itertools.count(1)  # updates this process shared early


def early_key() -> bytes:
    """A key no other update of any process shares: this process's relay id and a number."""
    return relay().process + next(_early_keys).to_bytes(8, "big")


def check_update(update: bytes) -> tuple[dict[int, int], dict[int, int]]:
    """Refuse an update before it reaches the log: one that pycrdt and the browsers' Yjs would
    read differently (ids or clocks out of range; this check first, since some such bytes
    crash pycrdt), or that pycrdt cannot apply. Returns what it builds on and the clocks it
    ends at (editor.yupdate)."""
    try:
        needs_and_ends = check_ids_and_ends(update)
    except UnsafeUpdate as error:
        raise Malformed(str(error)) from error
    try:
        apply_to_scratch(update)
    except Exception as error:
        raise Malformed("not a valid Yjs update") from error
    return needs_and_ends


def apply_to_scratch(update: bytes) -> None:
    """Apply the update to a new, empty document, as `pycrdt.Doc().apply_update` does (the
    same calls into yrs: a document, a transaction, apply, commit, drop), without the Python
    wrapper's set-up, which costs four times the apply itself on a keystroke."""
    doc = RawDoc(None, None, None)
    txn = doc.create_transaction()
    try:
        doc.apply_update(txn, update)
        txn.commit()
    finally:
        txn.drop()


class DocConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None  # relays go through the relay, not a channel layer
    access: Access = NOBODY
    room: RoomDoc | None = None  # the room while the connection is in it
    joined: RoomDoc  # the room it joined (its updates in flight go there)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' AsyncConsumer.__call__ for a consumer without a channel layer: the one
        source of messages is awaited directly, rather than through a task and an
        asyncio.wait per frame (a turn of the event loop more on every keystroke)."""
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        # Frames go straight to the server: the session middleware's wrapper only saves the
        # session on an HTTP response, yet reads the session on every send (two checks per
        # frame on the keystroke's path). Accept and close still go through it.
        wrapper = getattr(send, "__self__", None)
        self.send_frame = wrapper.real_send if isinstance(wrapper, InstanceSessionWrapper) else send
        self.frames = frame_writer(scope)  # small binary frames, straight to the connection
        with contextlib.suppress(StopConsumer):
            while True:
                await self.dispatch(await receive())

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        if bytes_data is not None and not close:
            if self.frames is None or not self.frames.send_binary(bytes_data):
                await self.send_frame({"type": "websocket.send", "bytes": bytes_data})
        else:
            await super().send(text_data, bytes_data, close)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch, without its thread hop per message to close old database
        connections: a keystroke here touches the database only through the store (which has
        its own) and database_sync_to_async (which closes them itself)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.room_id: str = self.scope["url_route"]["kwargs"]["room_id"]
        self.number = next(_numbers)
        self.own_awareness: dict[int, AwarenessEntry] = {}  # this connection's client
        self.updates = TokenBucket(limits.UPDATES_PER_S, limits.UPDATES_BURST)
        self.syncs = TokenBucket(limits.SYNCS_PER_S, limits.SYNCS_BURST)
        self.cursors = TokenBucket(limits.AWARENESS_PER_S, limits.AWARENESS_BURST)
        self.cursor_later: asyncio.TimerHandle | None = None
        self.sent_id: int | None = None  # the last update the client has (None: not synced)
        self.sent_early: dict[bytes, None] = {}  # keys of updates sent early, not yet stored
        self.commits = CommitLine(self.room_id, self._stored, self._not_stored)
        access = await database_sync_to_async(gate().connect)(self.room_id, self.scope)
        await self.accept()
        if not access.read:
            await self.close(code=access.close_code)
            return
        self.access = access
        room = await hub().open(self.room_id, self)
        if room.seats_here(access.seat_id) > limits.CONNECTIONS_PER_SEAT:
            await hub().close(room, self)
            await self.close(code=limits.CLOSE_TOO_MANY)
            return
        self.room = self.joined = room
        # Our state vector: the client answers with whatever we lack (its offline edits).
        await self.send(bytes_data=create_sync_step1_message(room.doc.get_state()))
        if room.awareness:
            states = list(room.awareness.values())
            await self.send(bytes_data=create_awareness_message(encode_awareness(states)))
        # Connections on other processes tell us who is there (and where their cursors are).
        relay().publish(self.room_id, AWARENESS_QUERY)

    async def disconnect(self, code: int) -> None:
        if self.cursor_later is not None:
            self.cursor_later.cancel()
        if self.room is None:
            return
        await self.commits.drain()  # its updates stay relayed and followed to their commits
        room, self.room = self.room, None
        await hub().close(room, self)
        await self._forget_awareness(room)

    async def _forget_awareness(self, room: RoomDoc) -> None:
        """Everyone stops seeing this connection's cursor."""
        if not self.own_awareness:
            return
        gone = [
            AwarenessEntry(entry.client_id, entry.clock + 1, "null")
            for entry in self.own_awareness.values()
        ]
        self.own_awareness = {}
        with contextlib.suppress(Exception):
            await room.share_awareness(encode_awareness(gone), self.seat)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.room is None:
            return
        if bytes_data is None:
            return await self.close(code=limits.CLOSE_MALFORMED, reason="binary frames only")
        if len(bytes_data) > limits.MAX_FRAME_BYTES:
            return await self.close(code=limits.CLOSE_TOO_LARGE, reason="frame too large")
        try:
            message = parse_message(bytes_data)
            if message.kind == "sync1":
                await self.answer_sync(message.payload)
            elif message.kind in ("sync2", "update"):
                await self.accept_update(message.payload)
            elif message.kind == "awareness":
                await self.accept_awareness(message.payload)
            else:  # query_awareness
                states = list(self.room.awareness.values())
                await self.send(bytes_data=create_awareness_message(encode_awareness(states)))
        except Malformed as error:
            log.info("refused frame in room %s: %s", self.room_id, error)
            await self.close(code=limits.CLOSE_MALFORMED, reason=str(error)[:100])
        except Exception:  # a bug must not leave the connection half alive
            log.exception("document frame failed in room %s", self.room_id)
            with contextlib.suppress(Exception):
                await self.close(code=limits.CLOSE_NOT_STORED, reason="server error, resync")

    async def answer_sync(self, state_vector: bytes) -> None:
        assert self.room is not None
        if not self.syncs.take():  # each answer may be the whole document: not on demand
            return
        await self.room.refresh()
        try:
            diff = self.room.doc.get_update(state_vector)
        except Exception as error:
            raise Malformed("not a valid state vector") from error
        self.sent_id = self.room.last_id  # from here on, updates are forwarded in order
        await self.send(bytes_data=create_sync_step2_message(diff))

    async def accept_update(self, update: bytes) -> None:
        room = self.room
        assert room is not None
        if not self.access.write or update == EMPTY_UPDATE:
            return  # read-only seats (observers, an ended room): their updates are dropped
        if len(update) > CHECK_ON_THREAD_BYTES:  # a long check must not stall the others
            needs, ends = await asyncio.to_thread(check_update, update)
        else:
            needs, ends = check_update(update)
        if room.stored_bytes + self.commits.size + len(update) > limits.MAX_DOC_BYTES:
            return await self.close(code=limits.CLOSE_TOO_LARGE, reason="document too large")
        while not self.updates.take():  # slow a flood down rather than drop edits
            await asyncio.sleep(1 / limits.UPDATES_PER_S)
        if self.commits.failed:
            return  # an earlier one was not stored: the connection is closing; sent again later
        needs = self.commits.uncovered(needs)  # its own updates in flight are stored first
        if needs and not await room.holds(needs, limits.RELAY_WAIT_S):
            # It builds on an edit not stored (shared early, then lost with its process or
            # refused): stored alone it would leave the log unreadable in order. The client
            # has that edit too, and sends it with this one when asked what the store lacks.
            if self.syncs.take():
                await self.send(bytes_data=create_sync_step1_message(room.doc.get_state()))
            return
        key = early_key()
        self.commits.submit(PendingUpdate(self.room_id, self.access.seat_id, update), key, ends)
        if limits.SHOW_EARLY:
            await self._share_early(room, key, update)

    async def _stored(self, entry: InFlight, stored: StoredUpdate) -> None:
        room = self.joined  # even if its access was revoked meanwhile: the update is stored
        if not limits.SHOW_EARLY:
            await self._share_early(room, entry.key, entry.update)
        ids = UPDATE_IDS.pack(stored.id, stored.prev_id)
        relay().publish(self.room_id, COMMITTED, entry.key + ids)
        await room.receive(entry.update, stored.id, stored.prev_id, self.number, entry.key)

    async def _not_stored(self) -> None:
        await self.close(code=limits.CLOSE_NOT_STORED, reason="not stored, resync")

    async def _share_early(self, room: RoomDoc, key: bytes, update: bytes) -> None:
        relay().publish(self.room_id, EARLY, key + update)
        await room.share_early(key, update, origin=self.number)

    async def accept_awareness(self, payload: bytes) -> None:
        """This connection's own cursor and name, checked, at a bounded rate. Clients also
        echo the others' states back: those are not theirs to say, and are dropped."""
        assert self.room is not None
        entries = parse_awareness(payload)
        if not self.access.presence:
            return  # observers stay invisible
        if not self.own_awareness:
            for entry in entries:
                if not self.room.announced_by_another(entry.client_id, self.seat):
                    awareness.check(entry)
                    self.own_awareness[entry.client_id] = entry
                    break
        mine = [entry for entry in entries if entry.client_id in self.own_awareness]
        if not mine:
            return
        for entry in mine:
            awareness.check(entry)
        latest = max(mine, key=lambda entry: entry.clock)
        self.own_awareness[latest.client_id] = latest
        if self.cursor_later is None:
            await self._share_cursor()

    async def _share_cursor(self) -> None:
        self.cursor_later = None
        if self.room is None or not self.own_awareness:
            return
        wait = self.cursors.wait_s()
        if wait > 0:  # the latest state goes out when its turn comes
            loop = asyncio.get_running_loop()
            self.cursor_later = loop.call_later(wait, lambda: loop.create_task(self._share()))
            return
        self.cursors.take()
        states = encode_awareness(list(self.own_awareness.values()))
        await self.room.share_awareness(states, self.seat)

    async def _share(self) -> None:
        try:
            await self._share_cursor()
        except Exception as error:
            log.info("cursor of connection %s not shared: %r", self.number, error)

    # --- what the room hands this connection (editor.hub.Member) ---------------------------

    async def forward(self) -> None:
        """Send the client the room's updates after the last one it has, in order."""
        if self.room is None or self.sent_id is None:
            return
        entries = self.room.updates_after(self.sent_id)
        if entries is None:  # too far behind for the recent updates: the whole document
            self.sent_id = self.room.last_id
            await self.send(bytes_data=create_sync_step2_message(self.room.doc.get_update()))
            return
        if entries:
            self.sent_id = entries[-1].id
        sent_early = self.sent_early
        for entry in entries:
            if entry.origin == self.number:
                continue  # the sender has its own update
            if entry.key and sent_early and entry.key in sent_early:
                del sent_early[entry.key]
                continue
            await self.send(bytes_data=create_update_message(entry.update))

    async def send_early(self, key: bytes, update: bytes) -> None:
        """Send an update whose commit is in flight (once synced; before, the sync brings it)."""
        if self.room is None or self.sent_id is None:
            return
        if len(self.sent_early) >= SENT_EARLY_KEPT:  # commits lost to the relay: sent again
            del self.sent_early[next(iter(self.sent_early))]
        self.sent_early[key] = None
        await self.send(bytes_data=create_update_message(update))

    async def ask_missing(self, state: bytes) -> None:
        if self.access.write and self.sent_id is not None:  # others' answers are dropped
            await self.send(bytes_data=create_sync_step1_message(state))

    async def send_awareness(self, payload: bytes) -> None:
        await self.send(bytes_data=create_awareness_message(payload))

    @property
    def seat(self) -> int:
        return self.access.seat_id or 0

    async def change_access(self, access: Access) -> None:
        """Access to the room changed: close, or go on with the new rights at once."""
        room = self.room
        if not access.read:
            if room is not None:
                self.room = None
                await hub().close(room, self)
                await self._forget_awareness(room)
            await self.close(code=access.close_code)
            return
        self.access = access
        if not access.presence and room is not None:
            await self._forget_awareness(room)
