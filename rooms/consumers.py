"""The control channel `ws/rooms/<room_id>/`: JSON frames, thin over rooms.actions.

Parse, check limits, call the action for the frame's type; the action sends what the room
must learn once its change is committed (rooms.live). Any input gets an answer: a refused
frame answers `{"type": "error", "code", "message"}` and changes nothing, and the connection
stays open. Close codes: 4403 no valid seat, 4404 no such room, 4410 the room has ended
(candidate and observer seats), 4429 too many connections for one seat.

Frames between processes go through the relay, not a channel layer: a Redis outage delays
what other processes' connections see (they are refreshed from PostgreSQL once Redis is
back) but never closes a connection or loses a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from config.ratelimit import TokenBucket
from relay import liveness, relay
from rooms import actions
from rooms.live import Outbound, registry
from rooms.models import Room, Seat
from rooms.seats import seat_for_scope, seat_is_usable
from rooms.serializers import room_state_for, server_time
from rooms.threads import in_room_thread, on_the_loop

log = logging.getLogger(__name__)
T = TypeVar("T")

HEARTBEAT_S = 20
TOUCH_EVERY_S = 5  # pings refresh presence, but at most this often (clock sync pings in bursts)
MAX_FRAME_BYTES = 256 * 1024

# Client frame type -> the action it calls; `c` is the consumer, `f` the frame.
Handler = Callable[[Seat, "RoomConsumer", dict[str, Any]], Outbound]
HANDLERS: dict[str, Handler] = {
    "question.show": lambda seat, c, f: actions.show_question(seat, f.get("question")),
    "question.step": lambda seat, c, f: actions.set_step(seat, f.get("question"), f.get("step")),
    "timer.start": lambda seat, c, f: actions.timer_start(seat, f.get("duration_s")),
    "timer.pause": lambda seat, c, f: actions.timer_pause(seat),
    "timer.resume": lambda seat, c, f: actions.timer_resume(seat),
    "timer.reset": lambda seat, c, f: actions.timer_reset(seat),
    "timer.add": lambda seat, c, f: actions.timer_add(seat, f.get("seconds")),
    "chat.send": lambda seat, c, f: actions.send_chat(seat, f.get("text")),
    "notes.save": lambda seat, c, f: actions.save_notes(seat, f.get("text")),
    "score.save": lambda seat, c, f: actions.save_score(
        seat, f.get("question"), f.get("rating"), f.get("recommendation"), f.get("comment", "")
    ),
    "presence": lambda seat, c, f: actions.set_focus(seat, c.connection_id, f.get("focus")),
    "signal": lambda seat, c, f: _signal(seat, f),
    "name.set": lambda seat, c, f: actions.set_name(seat, f.get("name")),
    "roles.swap": lambda seat, c, f: actions.swap_roles(seat),
    "seat.revoke": lambda seat, c, f: actions.revoke(seat, f.get("seat")),
    "room.end": lambda seat, c, f: actions.end_room(seat),
    "code.run": lambda seat, c, f: actions.start_run(
        seat, f.get("question"), f.get("mode"), f.get("explain", False)
    ),
    "run.stop": lambda seat, c, f: actions.stop_run(seat, f.get("run")),
    "pad.create": lambda seat, c, f: actions.create_pad(
        seat, f.get("title"), f.get("language"), f.get("prompt", "")
    ),
    "pad.save": lambda seat, c, f: actions.save_pad(seat, f.get("question")),
}


def _signal(seat: Seat, frame: dict[str, Any]) -> Outbound:
    if frame.get("kind") != "paste":
        raise actions.Invalid("unknown signal kind (known: paste)")
    return actions.record_paste(seat, frame.get("chars"))


def _seat_and_close_code(room_id: str, scope: dict[str, Any]) -> tuple[Seat | None, int]:
    room = Room.objects.filter(id=room_id).first()
    if room is None:
        return None, 4404
    seat = seat_for_scope(room_id, scope)
    if seat is None:
        return None, 4410 if room.status == Room.Status.ENDED else 4403
    return seat, 0


async def _forget_dead(processes: set[str]) -> set[str]:
    # Not a room's work: Channels' own thread.
    return await database_sync_to_async(actions.forget_dead)(processes)


def _reload_seat(seat_id: int) -> tuple[Seat | None, int]:
    seat = Seat.objects.select_related("room").filter(id=seat_id).first()
    if seat is None or seat.revoked_at is not None:
        return None, 4403
    return (seat, 0) if seat_is_usable(seat) else (None, 4410)


class RoomConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None  # frames between processes go through the relay
    seat: Seat | None = None
    room_id = ""
    connection_id = ""  # this connection's row in Connection (presence)

    async def connect(self) -> None:
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        self.connection_id = liveness.connection_id()
        self.frames = TokenBucket(rate=20, burst=60)
        self.chats = TokenBucket(rate=1, burst=5)  # a person types a few a minute
        self.tasks: list[asyncio.Task[None]] = []
        self.expiry: asyncio.TimerHandle | None = None
        self.touched_at = time.monotonic()
        # Frames the room hands this connection before its room.state is sent wait here, so
        # room.state is always the first frame (another tab's presence can race it).
        self.held: list[dict[str, Any]] | None = []
        seat, code = await self.db(_seat_and_close_code)(self.room_id, self.scope)
        await self.accept()
        if seat is None:
            await self.close(code=code)
            return
        await liveness.announce(_forget_dead)
        try:
            await self.db(actions.join)(seat, self.connection_id)
        except actions.TooMany:
            await self.close(code=4429)
            return
        except actions.RoomError:  # revoked or ended in the meantime
            await self.close(code=4403)
            return
        self.seat = seat
        await registry().add(self.room_id, self)
        await self.send_frame(await self.db(room_state_for)(seat))
        held, self.held = self.held, None
        for frame in held or []:
            await self.send_frame(frame)
        self.tasks.append(asyncio.create_task(self._heartbeat()))

    async def disconnect(self, code: int) -> None:
        for task in self.tasks:
            task.cancel()
        if self.expiry:
            self.expiry.cancel()
        seat, self.seat = self.seat, None
        if seat is None:
            return
        await registry().remove(self.room_id, self)
        try:
            await self.db(actions.leave)(seat, self.connection_id)
        except Exception:  # the heartbeat sweep of the other connections forgets it later
            log.exception("leave of a connection in room %s not recorded", self.room_id)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.seat is None:
            return
        try:
            await self.handle(text_data)
        except Exception:  # any input gets an answer, and a bug never kills the connection
            log.exception("control frame failed in room %s", self.room_id)
            with contextlib.suppress(Exception):
                await self.error("invalid", "the server could not handle that frame")

    async def handle(self, text_data: str | None) -> None:
        if text_data is None:
            return await self.error("invalid", "frames are JSON text")
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode(errors="replace")) > (
            MAX_FRAME_BYTES
        ):
            return await self.error("too_large", f"frames are at most {MAX_FRAME_BYTES} bytes")
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
            return await self.error("rate_limited", "too many chat messages; slow down", kind)
        seat = self.seat
        try:
            if kind == "chat.send" and on_the_loop():  # one statement: no thread hand-over
                await actions.send_chat_async(seat, frame.get("text"))
            else:
                await self.db(handler)(seat, self, frame)
        except actions.RoomError as refused:
            return await self.error(refused.code, refused.message, kind)
        if kind == "chat.send" and relay().enabled and relay().health.failing:
            await self.error(
                "unavailable", "Sent; people connected to other servers will see it a bit late."
            )

    async def ping(self, frame: dict[str, Any]) -> None:
        t = frame.get("t")
        finite = isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t)
        if t is not None and not finite:
            return await self.error("invalid", "ping's t must be a finite number")
        if time.monotonic() - self.touched_at > TOUCH_EVERY_S:
            self.touched_at = time.monotonic()
            await self._stay()
        await self.send_frame({"type": "pong", "t": t, "server_time": server_time()})

    async def error(self, code: str, message: str, refused: str = "") -> None:
        """An error frame; `for` names the refused frame's type when there was one."""
        frame = {"type": "error", "code": code, "message": message}
        if refused:
            frame["for"] = refused
        await self.send_frame(frame)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        timer = frame.get("timer") if frame["type"] == "room.state" else frame
        if frame["type"] in ("room.state", "timer.state"):
            self._schedule_expiry(timer)
        await self.send(text_data=json.dumps(frame, allow_nan=False))

    # --- what the room hands this connection (rooms.live.Member) ---------------------------

    @property
    def role(self) -> str:
        return self.seat.role if self.seat else ""

    @property
    def seat_id(self) -> int:
        return self.seat.id if self.seat else 0

    async def deliver(self, frame: dict[str, Any]) -> None:
        if self.held is not None:
            self.held.append(frame)
        elif self.seat is not None:
            await self.send_frame(frame)

    async def refresh(self) -> None:
        """Rights may have changed (revoked, ended, swapped): reload the seat, then close or
        send a fresh room.state."""
        if self.seat is None:
            return
        seat, code = await self.db(_reload_seat)(self.seat.id)
        if seat is None:
            await self.close(code=code)
            return
        self.seat = seat
        await self.send_frame(await self.db(room_state_for)(seat))

    # --- helpers --------------------------------------------------------------------------

    def db(self, func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
        """`func` on this room's database thread: rooms side by side, a room's calls in order."""
        return in_room_thread(self.room_id, func)

    async def _heartbeat(self) -> None:
        """Keep this connection fresh while the process lives; a killed process stops."""
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            try:
                await self._stay()
                await self.db(actions.heartbeat)(self.room_id)
            except Exception:  # the next beat tries again
                log.warning("heartbeat in room %s failed", self.room_id, exc_info=True)

    async def _stay(self) -> None:
        """Keep this connection fresh; one forgotten meanwhile (this process looked dead to
        the others for a moment, relay.liveness) joins again."""
        if self.seat is None or await self.db(actions.touch)(self.connection_id):
            return
        try:
            await self.db(actions.join)(self.seat, self.connection_id)
        except actions.RoomError:  # revoked or ended meanwhile: its refresh closes it
            log.info("connection in room %s not joined again", self.room_id)

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
        try:
            await self.db(actions.expire_timer_if_due)(self.room_id)
        except Exception:  # another connection (or the next state) expires it
            log.warning("timer expiry in room %s failed", self.room_id, exc_info=True)
