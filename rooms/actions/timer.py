"""The room's countdown: server-authoritative (status, duration, time run so far, when it
last started); every screen draws it from that state plus its estimate of the server clock.
Expiry is recorded by whichever process notices first, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from rooms import serializers as s
from rooms.actions.base import Invalid, actor, require, whole_number
from rooms.actions.broadcast import on_commit
from rooms.events import record_event
from rooms.live import EVERYONE, Outbound
from rooms.models import Room, Seat

TIMER_MAX_S = 6 * 3600


def _frame(room: Room, now: datetime) -> dict[str, Any]:
    return {"type": "timer.state", **s.timer_payload(room, now)}


def _change(
    seat: Seat, action: str, data: dict[str, Any], change: Callable[[Room, datetime], None]
) -> Outbound:
    seat, can = actor(seat)
    require(can.control, "only interviewers may control the question and the timer")
    room = seat.room
    now = timezone.now()
    _expire_locked(room, now)
    change(room, now)
    room.save(
        update_fields=["timer_status", "timer_duration_ms", "timer_elapsed_ms", "timer_started_at"]
    )
    record_event(room.id, f"timer.{action}", {**data, **s.timer_payload(room, now)}, actor=seat)
    return on_commit(room.id, Outbound().to(EVERYONE, _frame(room, now)))


@transaction.atomic
def timer_start(seat: Seat, duration_s: Any) -> Outbound:
    """(Re)start the countdown from zero."""
    duration_ms = whole_number(duration_s, "duration_s", 1, TIMER_MAX_S) * 1000

    def change(room: Room, now: datetime) -> None:
        room.timer_status = Room.Timer.RUNNING
        room.timer_duration_ms = duration_ms
        room.timer_elapsed_ms = 0
        room.timer_started_at = now

    return _change(seat, "start", {"duration_ms": duration_ms}, change)


@transaction.atomic
def timer_pause(seat: Seat) -> Outbound:
    def change(room: Room, now: datetime) -> None:
        if room.timer_status != Room.Timer.RUNNING:
            raise Invalid("the timer is not running")
        room.timer_elapsed_ms = room.elapsed_ms(now)
        room.timer_status = Room.Timer.PAUSED
        room.timer_started_at = None

    return _change(seat, "pause", {}, change)


@transaction.atomic
def timer_resume(seat: Seat) -> Outbound:
    def change(room: Room, now: datetime) -> None:
        if room.timer_status != Room.Timer.PAUSED:
            raise Invalid("the timer is not paused")
        room.timer_status = Room.Timer.RUNNING
        room.timer_started_at = now

    return _change(seat, "resume", {}, change)


@transaction.atomic
def timer_reset(seat: Seat) -> Outbound:
    """Back to idle at zero; the duration stays for the next start."""

    def change(room: Room, now: datetime) -> None:
        room.timer_status = Room.Timer.IDLE
        room.timer_elapsed_ms = 0
        room.timer_started_at = None

    return _change(seat, "reset", {}, change)


@transaction.atomic
def timer_add(seat: Seat, seconds: Any) -> Outbound:
    """Add (or take away) time; an expired timer given more time runs again."""
    delta_ms = whole_number(seconds, "seconds", -TIMER_MAX_S, TIMER_MAX_S) * 1000
    if delta_ms == 0:
        raise Invalid("seconds must not be 0")

    def change(room: Room, now: datetime) -> None:
        if room.timer_status == Room.Timer.IDLE:
            raise Invalid("the timer has not been started")
        duration = room.timer_duration_ms + delta_ms
        if not 1000 <= duration <= TIMER_MAX_S * 1000:
            raise Invalid("the timer's duration must stay between 1 second and 6 hours")
        room.timer_duration_ms = duration
        if room.timer_status == Room.Timer.EXPIRED and duration > room.timer_elapsed_ms:
            room.timer_status = Room.Timer.RUNNING
            room.timer_started_at = now

    return _change(seat, "add", {"added_ms": delta_ms}, change)


def _expire_locked(room: Room, now: datetime) -> bool:
    """Expire a running timer whose time is up; the conditional UPDATE makes it happen once."""
    if room.timer_status != Room.Timer.RUNNING or room.timer_started_at is None:
        return False
    if room.elapsed_ms(now) < room.timer_duration_ms:
        return False
    ended_at = room.timer_started_at + (
        timedelta(milliseconds=room.timer_duration_ms - room.timer_elapsed_ms)
    )
    won = Room.objects.filter(
        id=room.id, timer_status=Room.Timer.RUNNING, timer_started_at=room.timer_started_at
    ).update(
        timer_status=Room.Timer.EXPIRED,
        timer_elapsed_ms=room.timer_duration_ms,
        timer_started_at=None,
    )
    if not won:
        return False
    room.timer_status = Room.Timer.EXPIRED
    room.timer_elapsed_ms = room.timer_duration_ms
    room.timer_started_at = None
    record_event(
        room.id, "timer.expired", {"duration_ms": room.timer_duration_ms, "at": s.ms(ended_at)}
    )
    return True


@transaction.atomic
def expire_timer_if_due(room_id: str) -> Outbound:
    """Called by any process that notices the deadline; only the first one records it."""
    room = Room.objects.select_for_update().filter(id=room_id).first()
    now = timezone.now()
    if room is None or not _expire_locked(room, now):
        return Outbound()
    return on_commit(room.id, Outbound().to(EVERYONE, _frame(room, now)))
