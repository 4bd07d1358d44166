"""Seats losing their right: a revoked seat, a link renewed. Every open connection of the
seat, on both channels and every process, is closed at once (rooms.actions.broadcast)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rooms.actions.base import Invalid, NotFound, actor, require, whole_number
from rooms.actions.broadcast import on_commit
from rooms.events import record_event
from rooms.live import Outbound
from rooms.models import Seat
from rooms.seats import create_seat

# A link of each of these roles can be made again; an interviewer link is a co-interviewer's
# (the owner reaches their own seat by login, and it has no link to renew).
RENEWABLE = (Seat.Role.CANDIDATE, Seat.Role.OBSERVER, Seat.Role.INTERVIEWER)


def _revoke(seat: Seat, by: Seat) -> None:
    seat.revoked_at = timezone.now()
    seat.save(update_fields=["revoked_at"])
    record_event(seat.room_id, "seat.revoked", {"seat": seat.id, "role": seat.role}, actor=by)


@transaction.atomic
def revoke(by: Seat, seat_id: Any) -> Outbound:
    """An interviewer kills a seat's link; its open connections are closed (4403)."""
    by, can = actor(by)
    require(can.interviewer, "only interviewers may do that")
    seat_id = whole_number(seat_id, "seat", 1, 2**62)
    seat = Seat.objects.filter(id=seat_id, room_id=by.room_id, revoked_at=None).first()
    if seat is None:
        raise NotFound("no such seat in this room")
    if seat.id == by.id:
        raise Invalid("you cannot revoke your own seat")
    _revoke(seat, by)
    return on_commit(by.room_id, Outbound(refresh=True))


@transaction.atomic
def renew_link(by: Seat, role: str) -> tuple[Seat, str, Outbound]:
    """A new link for the room's candidate, observer or co-interviewer seat. The old link dies
    at once, and so
    does everything it opened (browser sessions, open connections): the old seat is revoked and
    a new one takes its place. Returns the new seat and its token (the only time it is shown)."""
    by, can = actor(by)
    require(can.interviewer and can.talk, "only interviewers of a live room may renew links")
    if role not in RENEWABLE:
        raise Invalid("only candidate, observer and co-interviewer links can be renewed")
    for old in by.room.seats.filter(role=role, revoked_at=None, user=None):
        if old.id != by.id:  # a co-interviewer renewing their colleagues' link keeps their own
            _revoke(old, by)
    seat, token = create_seat(by.room, role)
    record_event(by.room_id, "seat.renewed", {"seat": seat.id, "role": role}, actor=by)
    return seat, token, on_commit(by.room_id, Outbound(refresh=True))
