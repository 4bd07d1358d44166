"""The document channel `ws/doc/<room_id>`: the y-websocket protocol over binary frames.

An update is checked (size, role, that pycrdt can apply it), stored durably, and only then
relayed: to the room's connections on this process directly (editor.hub), to the other
processes through Redis (editor.relay). Sync requests are answered from the process's cached
copy of the document, caught up from the log first. Each connection forwards to its client
the room's updates in log order, from the last one it sent. Awareness is relayed to every
connection, the sender included, and a closed connection's awareness states are removed.

Redis is only a fast path, kept off the keystroke's path: publishing never waits for it. A
relay it loses (Redis restarting or hanging, a subscription dropped) costs nothing: the next
relay shows the gap (each update names the one before it) and the room reads the log; and
every DOC_RESYNC_S seconds the process checks its open rooms against the log, for a loss
that no later relay reveals. A Redis error never closes a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from pycrdt import Doc

from editor import limits
from editor.hub import RoomDoc, hub
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
from editor.relay import relay
from editor.store import PendingUpdate
from editor.writer import writer
from rooms.limits import TokenBucket
from rooms.models import Room, Seat
from rooms.seats import seat_for_scope

log = logging.getLogger(__name__)
EMPTY_UPDATE = b"\x00\x00"
_numbers = itertools.count(1)  # connections of this process


def _seat_and_close_code(room_id: str, scope: dict[str, Any]) -> tuple[Seat | None, int]:
    room = Room.objects.filter(id=room_id).first()
    if room is None:
        return None, limits.CLOSE_NOT_FOUND
    seat = seat_for_scope(room_id, scope)
    if seat is None:
        ended = room.status == Room.Status.ENDED
        return None, limits.CLOSE_ROOM_ENDED if ended else limits.CLOSE_FORBIDDEN
    return seat, 0


def check_update(update: bytes) -> None:
    """Refuse bytes that pycrdt cannot decode, before they reach the log."""
    try:
        Doc().apply_update(update)
    except Exception as error:
        raise Malformed("not a valid Yjs update") from error


class DocConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None  # relays go through editor.relay, not a channel layer
    seat: Seat | None = None
    room: RoomDoc | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch, without its thread hop per message to close old database
        connections: a keystroke here touches the database only through editor.loopdb
        (which has its own) and database_sync_to_async (which closes them itself)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.room_id: str = self.scope["url_route"]["kwargs"]["room_id"]
        self.number = next(_numbers)
        self.own_awareness: dict[int, AwarenessEntry] = {}  # this connection's clients
        self.bucket = TokenBucket(limits.UPDATES_PER_S, limits.UPDATES_BURST)
        self.sent_id: int | None = None  # the last update the client has (None: not synced)
        seat, code = await database_sync_to_async(_seat_and_close_code)(self.room_id, self.scope)
        await self.accept()
        if seat is None:
            await self.close(code=code)
            return
        self.seat = seat
        self.room = await hub().open(self.room_id, self)
        # Our state vector: the client answers with whatever we lack (its offline edits).
        await self.send(bytes_data=create_sync_step1_message(self.room.doc.get_state()))
        if self.room.awareness:
            states = list(self.room.awareness.values())
            await self.send(bytes_data=create_awareness_message(encode_awareness(states)))
        # Connections on other processes tell us who is there (and where their cursors are).
        relay().publish_awareness_query(self.room_id)

    async def disconnect(self, code: int) -> None:
        room, self.room = self.room, None
        if room is None:
            return
        await hub().close(room, self)
        if self.own_awareness:
            gone = [
                AwarenessEntry(entry.client_id, entry.clock + 1, "null")
                for entry in self.own_awareness.values()
            ]
            with contextlib.suppress(Exception):
                await room.share_awareness(encode_awareness(gone))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.seat is None or self.room is None:
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
                await self.relay_awareness(message.payload)
            else:  # query_awareness
                states = list(self.room.awareness.values())
                await self.send(bytes_data=create_awareness_message(encode_awareness(states)))
        except Malformed as error:
            log.info("refused frame in room %s: %s", self.room_id, error)
            await self.close(code=limits.CLOSE_MALFORMED, reason=str(error)[:100])

    async def answer_sync(self, state_vector: bytes) -> None:
        assert self.room is not None
        await self.room.refresh()
        try:
            diff = self.room.doc.get_update(state_vector)
        except Exception as error:
            raise Malformed("not a valid state vector") from error
        self.sent_id = self.room.last_id  # from here on, updates are forwarded in order
        await self.send(bytes_data=create_sync_step2_message(diff))

    async def accept_update(self, update: bytes) -> None:
        assert self.room is not None and self.seat is not None
        if self.seat.role == Seat.Role.OBSERVER or update == EMPTY_UPDATE:
            return  # observers are read-only: their updates are dropped
        check_update(update)
        if self.room.stored_bytes + len(update) > limits.MAX_DOC_BYTES:
            return await self.close(code=limits.CLOSE_TOO_LARGE, reason="document too large")
        while not self.bucket.take():  # slow a flood down rather than drop edits
            await asyncio.sleep(1 / limits.UPDATES_PER_S)
        try:
            stored = await writer().write(PendingUpdate(self.room_id, self.seat.id, update))
        except Exception:
            log.exception("update not stored in room %s", self.room_id)
            return await self.close(code=limits.CLOSE_NOT_STORED, reason="not stored, resync")
        relay().publish_update(self.room_id, update, stored.id, stored.prev_id)
        await self.room.receive(update, stored.id, stored.prev_id, origin=self.number)

    async def relay_awareness(self, payload: bytes) -> None:
        assert self.room is not None
        entries = parse_awareness(payload)
        for entry in entries:
            self.own_awareness[entry.client_id] = entry
        await self.room.share_awareness(payload)

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
        for entry in entries:
            if entry.origin != self.number:  # the sender has its own update
                await self.send(bytes_data=create_update_message(entry.update))

    async def send_awareness(self, payload: bytes) -> None:
        await self.send(bytes_data=create_awareness_message(payload))
