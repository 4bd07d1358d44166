"""The document channel `ws/doc/<room_id>`: the y-websocket protocol over binary frames.

An update is checked (size, role, that pycrdt can apply it), stored durably, and only then
relayed to the room's group. Sync requests are answered from the process's cached copy of
the document, caught up from the log first. Each connection then forwards to its client the
room's updates in log order, from the last one it sent. Awareness is relayed to every
connection, the sender included, and a closed connection's awareness states are removed.

The channel layer is only a fast path, kept off the keystroke's path: relays leave from a
queue of their own, and every layer call has a time limit, so a hung Redis never stalls
storing or local forwarding. A relay it loses (Redis restarting or hanging, a subscriber
reconnecting) costs nothing. The next relay shows the gap (each update names the one before
it) and the room reads the log; and every DOC_RESYNC_S seconds the process checks its open
rooms against the log, for a loss that no later relay reveals, and each connection re-joins
its group. A channel-layer error never closes a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
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
from editor.store import PendingUpdate
from editor.writer import writer
from rooms.limits import TokenBucket
from rooms.models import Room, Seat
from rooms.seats import seat_for_scope

log = logging.getLogger(__name__)
EMPTY_UPDATE = b"\x00\x00"
LAYER = "documents"  # the channel layer alias of the document channel (settings)


class LayerHealth:
    """Logs when the channel layer starts failing and when it works again: once per outage,
    not a traceback per keystroke."""

    def __init__(self) -> None:
        self.failing = False

    def failed(self, what: str, error: Exception) -> None:
        if not self.failing:
            log.warning("channel layer failing (%s: %r); relying on catch-up", what, error)
        self.failing = True

    def worked(self) -> None:
        if self.failing:
            log.warning("channel layer works again")
        self.failing = False


layer_health = LayerHealth()


def group_name(room_id: str) -> str:
    return f"doc.{room_id}"


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


async def relay_update(room_id: str, update: bytes, update_id: int | None = None) -> None:
    """Send a stored update (e.g. starter code inserted by the server) to the room's clients."""
    from channels.layers import get_channel_layer

    layer: Any = get_channel_layer(LAYER)
    message = {"type": "doc.update", "data": update, "id": update_id, "prev_id": None}
    try:
        await asyncio.wait_for(
            layer.group_send(group_name(room_id), message), limits.LAYER_TIMEOUT_S
        )
    except Exception as error:  # stored already: connections catch up from the log
        layer_health.failed("relay", error)


class DocConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = LAYER
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
        self.group = group_name(self.room_id)
        self.own_awareness: dict[int, AwarenessEntry] = {}  # this connection's clients
        self.bucket = TokenBucket(limits.UPDATES_PER_S, limits.UPDATES_BURST)
        self.tasks: list[asyncio.Task[None]] = []
        self.sent_id: int | None = None  # the last update the client has (None: not synced)
        self.log_brought = asyncio.Event()  # the room read updates from the log: forward them
        self.relays: asyncio.Queue[dict[str, Any]] = asyncio.Queue(limits.RELAY_BACKLOG)
        seat, code = await database_sync_to_async(_seat_and_close_code)(self.room_id, self.scope)
        await self.accept()
        if seat is None:
            await self.close(code=code)
            return
        self.seat = seat
        # Join the group first, then load: an update racing the load arrives through the
        # group, and the room applies each update once.
        await self._join_group()
        self.room = await hub().open(self.room_id)
        self.room.listeners.add(self.log_brought)
        # Our state vector: the client answers with whatever we lack (its offline edits).
        await self.send(bytes_data=create_sync_step1_message(self.room.doc.get_state()))
        if self.room.awareness:
            states = list(self.room.awareness.values())
            await self.send(bytes_data=create_awareness_message(encode_awareness(states)))
        # Connections on other processes tell us who is there (and where their cursors are).
        self._relay({"type": "doc.awareness_query", "reply_to": self.channel_name})
        self.tasks.append(asyncio.create_task(self._relay_forever()))
        self.tasks.append(asyncio.create_task(self._keep_up_forever()))

    async def disconnect(self, code: int) -> None:
        for task in self.tasks:
            task.cancel()
        if self.seat is None:
            return
        with contextlib.suppress(Exception):
            if self.own_awareness:
                gone = [
                    AwarenessEntry(entry.client_id, entry.clock + 1, "null")
                    for entry in self.own_awareness.values()
                ]
                message = {"type": "doc.awareness", "data": encode_awareness(gone)}
                await self._layer_call("relay", self.channel_layer.group_send(self.group, message))
        with contextlib.suppress(Exception):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.room is not None:
            self.room.listeners.discard(self.log_brought)
            hub().close(self.room)
            self.room = None

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
        await self._take(update, stored.id, stored.prev_id, origin=self.channel_name)
        self._relay(
            {"type": "doc.update", "data": update, "id": stored.id, "prev_id": stored.prev_id}
        )

    async def relay_awareness(self, payload: bytes) -> None:
        entries = parse_awareness(payload)
        for entry in entries:
            self.own_awareness[entry.client_id] = entry
        self._relay({"type": "doc.awareness", "data": payload})

    # --- group messages ---------------------------------------------------------------

    async def doc_update(self, event: dict[str, Any]) -> None:
        await self._take(event["data"], event.get("id"), event.get("prev_id"))

    async def doc_awareness(self, event: dict[str, Any]) -> None:
        if self.room is None:
            return
        with contextlib.suppress(Malformed):
            self.room.note_awareness(parse_awareness(event["data"]))
        await self.send(bytes_data=create_awareness_message(event["data"]))

    async def doc_awareness_query(self, event: dict[str, Any]) -> None:
        if event["reply_to"] == self.channel_name or not self.own_awareness:
            return
        states = encode_awareness(list(self.own_awareness.values()))
        reply = {"type": "doc.awareness", "data": states}
        await self._layer_call("send", self.channel_layer.send(event["reply_to"], reply))

    # --- the channel layer, a fast path that may fail ------------------------------------

    async def _layer_call(self, what: str, call: Awaitable[None]) -> None:
        try:
            await asyncio.wait_for(call, limits.LAYER_TIMEOUT_S)
        except Exception as error:
            layer_health.failed(what, error)
            return
        layer_health.worked()

    async def _join_group(self) -> None:
        await self._layer_call(
            "group_add", self.channel_layer.group_add(self.group, self.channel_name)
        )

    def _relay(self, message: dict[str, Any]) -> None:
        """Queue a message for the room's group; never waits for Redis."""
        with contextlib.suppress(asyncio.QueueFull):  # Redis is stuck: the log heals
            self.relays.put_nowait(message)

    async def _relay_forever(self) -> None:
        while True:
            message = await self.relays.get()
            await self._layer_call("relay", self.channel_layer.group_send(self.group, message))
            if layer_health.failing:  # the backlog would only arrive late: the log has it
                while not self.relays.empty():
                    self.relays.get_nowait()

    # --- updates in log order ----------------------------------------------------------

    async def _take(
        self, update: bytes, update_id: int | None, prev_id: int | None, origin: str = ""
    ) -> None:
        """A stored update reached this process: into the room, then on to our client."""
        if self.room is None:
            return
        try:
            await self.room.receive(update, update_id, prev_id, origin)
        except Exception:  # the log could not be read: the periodic catch-up will
            log.warning("catch-up of room %s failed", self.room_id, exc_info=True)
        await self._forward()

    async def _forward(self) -> None:
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
            if entry.origin != self.channel_name:  # the sender has its own update
                await self.send(bytes_data=create_update_message(entry.update))

    async def _keep_up_forever(self) -> None:
        """Forward what the room read from the log as soon as it did (the hub checks open
        rooms against the log every DOC_RESYNC_S seconds); and as often, re-join the group
        (a restarted Redis may have lost it; a no-op while subscribed)."""
        loop = asyncio.get_running_loop()
        next_join = loop.time() + limits.RESYNC_S
        while self.room is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.log_brought.wait(), next_join - loop.time())
            self.log_brought.clear()
            if loop.time() >= next_join:
                next_join = loop.time() + limits.RESYNC_S
                await self._join_group()
            await self._forward()
