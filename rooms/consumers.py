"""The control channel `ws/rooms/<room_id>/`: JSON frames, thin over rooms.services.

Parse, check limits, call the service for the frame's type, broadcast what it returns. A
refused frame answers `{"type": "error", "code", "message"}` and changes nothing; the
connection stays open. Close codes: 4403 no valid seat, 4404 no such room, 4410 the room has
ended (candidate and observer seats), 4429 too many connections for one seat.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from rooms import limits, services
from rooms.broadcast import group_for, publish, role_audience
from rooms.models import Room, Seat
from rooms.seats import seat_for_scope, seat_is_usable
from rooms.serializers import room_state_for, server_time

HEARTBEAT_S = 20
TOUCH_EVERY_S = 5  # pings refresh presence, but at most this often (clock sync pings in bursts)

# Client frame type -> the service call it makes; `c` is the consumer, `f` the frame.
Handler = Callable[[Seat, "RoomConsumer", dict[str, Any]], services.Outbound]
HANDLERS: dict[str, Handler] = {
    "question.show": lambda seat, c, f: services.show_question(seat, f.get("question")),
    "timer.start": lambda seat, c, f: services.timer_start(seat, f.get("duration_s")),
    "timer.pause": lambda seat, c, f: services.timer_pause(seat),
    "timer.resume": lambda seat, c, f: services.timer_resume(seat),
    "timer.reset": lambda seat, c, f: services.timer_reset(seat),
    "timer.add": lambda seat, c, f: services.timer_add(seat, f.get("seconds")),
    "chat.send": lambda seat, c, f: services.send_chat(seat, f.get("text")),
    "notes.save": lambda seat, c, f: services.save_notes(seat, f.get("text")),
    "score.save": lambda seat, c, f: services.save_score(
        seat, f.get("question"), f.get("rating"), f.get("recommendation"), f.get("comment", "")
    ),
    "presence": lambda seat, c, f: services.set_focus(seat, c.channel_name, f.get("focus")),
    "signal": lambda seat, c, f: _signal(seat, f),
    "name.set": lambda seat, c, f: services.set_name(seat, f.get("name")),
    "roles.swap": lambda seat, c, f: services.swap_roles(seat),
    "seat.revoke": lambda seat, c, f: services.revoke(seat, f.get("seat")),
    "room.end": lambda seat, c, f: services.end_room(seat),
}


def _signal(seat: Seat, frame: dict[str, Any]) -> services.Outbound:
    if frame.get("kind") != "paste":
        raise services.Invalid("unknown signal kind (known: paste)")
    return services.record_paste(seat, frame.get("chars"))


def _seat_and_close_code(room_id: str, scope: dict[str, Any]) -> tuple[Seat | None, int]:
    room = Room.objects.filter(id=room_id).first()
    if room is None:
        return None, 4404
    seat = seat_for_scope(room_id, scope)
    if seat is None:
        return None, 4410 if room.status == Room.Status.ENDED else 4403
    if services.fresh_connection_count(seat) >= limits.MAX_CONNECTIONS_PER_SEAT:
        return None, 4429
    return seat, 0


def _reload_seat(seat_id: int) -> tuple[Seat | None, int]:
    seat = Seat.objects.select_related("room").filter(id=seat_id).first()
    if seat is None or seat.revoked_at is not None:
        return None, 4403
    return (seat, 0) if seat_is_usable(seat) else (None, 4410)


class RoomConsumer(AsyncWebsocketConsumer):
    seat: Seat | None = None
    room_id = ""

    async def connect(self) -> None:
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        self.frames = limits.frames_bucket()
        self.chats = limits.chat_bucket()
        self.tasks: list[asyncio.Task[None]] = []
        self.expiry: asyncio.TimerHandle | None = None
        self.touched_at = time.monotonic()
        seat, code = await database_sync_to_async(_seat_and_close_code)(self.room_id, self.scope)
        await self.accept()
        if seat is None:
            await self.close(code=code)
            return
        try:
            out = await database_sync_to_async(services.join)(seat, self.channel_name)
        except services.RoomError:  # revoked or ended in the meantime
            await self.close(code=4403)
            return
        self.seat = seat
        await self._join_groups(seat.role)
        await self.send_frame(await database_sync_to_async(room_state_for)(seat))
        await publish(self.room_id, out)
        self.tasks.append(asyncio.create_task(self._heartbeat()))

    async def disconnect(self, code: int) -> None:
        for task in self.tasks:
            task.cancel()
        if self.expiry:
            self.expiry.cancel()
        if self.seat is None:
            return
        await self._leave_groups(self.seat.role)
        out = await database_sync_to_async(services.leave)(self.seat, self.channel_name)
        await publish(self.room_id, out)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.seat is None:
            return
        if text_data is None:
            return await self.error("invalid", "frames are JSON text")
        if len(text_data) > limits.MAX_FRAME_BYTES or (
            len(text_data.encode()) > limits.MAX_FRAME_BYTES
        ):
            return await self.error(
                "too_large", f"frames are at most {limits.MAX_FRAME_BYTES} bytes"
            )
        if not self.frames.take():
            return await self.error("rate_limited", "too many frames; slow down")
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):
            return await self.error("invalid", "frames are JSON objects")
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return await self.error("invalid", "frames are JSON objects with a string `type`")
        kind = frame["type"]
        if kind == "ping":
            return await self.ping(frame)
        handler = HANDLERS.get(kind)
        if handler is None:
            return await self.error("invalid", f"unknown frame type {kind[:40]!r}")
        if kind == "chat.send" and not self.chats.take():
            return await self.error("rate_limited", "too many chat messages; slow down")
        seat = self.seat
        try:
            out = await database_sync_to_async(handler)(seat, self, frame)
        except services.RoomError as refused:
            return await self.error(refused.code, refused.message)
        await publish(self.room_id, out)

    async def ping(self, frame: dict[str, Any]) -> None:
        t = frame.get("t")
        if t is not None and (not isinstance(t, int | float) or isinstance(t, bool)):
            return await self.error("invalid", "ping's t must be a number")
        if time.monotonic() - self.touched_at > TOUCH_EVERY_S:
            self.touched_at = time.monotonic()
            await database_sync_to_async(services.touch)(self.channel_name)
        await self.send_frame({"type": "pong", "t": t, "server_time": server_time()})

    async def error(self, code: str, message: str) -> None:
        await self.send_frame({"type": "error", "code": code, "message": message})

    async def send_frame(self, frame: dict[str, Any]) -> None:
        timer = frame.get("timer") if frame["type"] == "room.state" else frame
        if frame["type"] in ("room.state", "timer.state"):
            self._schedule_expiry(timer)
        await self.send(text_data=json.dumps(frame))

    # --- group messages ---------------------------------------------------------------

    async def room_frame(self, message: dict[str, Any]) -> None:
        await self.send_frame(message["frame"])

    async def room_refresh(self, message: dict[str, Any]) -> None:
        """Roles changed or the room ended: reload the seat, then send a fresh room.state."""
        if self.seat is None:
            return
        old = self.seat
        seat, code = await database_sync_to_async(_reload_seat)(old.id)
        if seat is None:
            await self.close(code=code)
            return
        if seat.role != old.role:
            await self._leave_groups(old.role)
            await self._join_groups(seat.role)
        self.seat = seat
        await self.send_frame(await database_sync_to_async(room_state_for)(seat))

    # --- helpers --------------------------------------------------------------------------

    async def _join_groups(self, role: str) -> None:
        for audience in ("all", role_audience(role)):
            await self.channel_layer.group_add(group_for(self.room_id, audience), self.channel_name)

    async def _leave_groups(self, role: str) -> None:
        for audience in ("all", role_audience(role)):
            await self.channel_layer.group_discard(
                group_for(self.room_id, audience), self.channel_name
            )

    async def _heartbeat(self) -> None:
        """Keep this connection fresh while the process lives; a killed process stops."""
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            out = await database_sync_to_async(services.heartbeat)(self.room_id, self.channel_name)
            await publish(self.room_id, out)

    def _schedule_expiry(self, timer: dict[str, Any] | None) -> None:
        """Whichever connection notices the deadline first asks the server to expire it."""
        if self.expiry:
            self.expiry.cancel()
            self.expiry = None
        if not timer or timer.get("status") != Room.Timer.RUNNING:
            return
        remaining_s = max(timer["duration_ms"] - timer["elapsed_ms"], 0) / 1000
        loop = asyncio.get_running_loop()
        self.expiry = loop.call_later(
            remaining_s + 0.05, lambda: self.tasks.append(asyncio.create_task(self._expire()))
        )

    async def _expire(self) -> None:
        out = await database_sync_to_async(services.expire_timer_if_due)(self.room_id)
        with contextlib.suppress(Exception):
            await publish(self.room_id, out)
