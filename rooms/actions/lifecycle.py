"""A room's life: created from a template, started when someone arrives, ended; pair
practice's role swap; a participant's name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from questions.models import Template
from rooms import serializers as s
from rooms.actions.base import Forbidden, Invalid, NotFound, actor, require, text
from rooms.actions.broadcast import on_commit
from rooms.events import record_event
from rooms.live import BEHIND_THE_GLASS, EVERYONE, Outbound
from rooms.models import Room, RoomQuestion, Seat
from rooms.seats import create_seat

NAME_MAX_CHARS = 80


@dataclass
class CreatedRoom:
    room: Room
    seats: dict[str, Seat]
    tokens: dict[str, str]


@transaction.atomic
def create_room(
    owner: User,
    title: str = "",
    template_slug: str | None = None,
    kind: str | None = None,
) -> CreatedRoom:
    """A room with one interviewer, one candidate and one observer seat, planned from a template.

    Without a `kind`, the room is of the template's kind (a pair-practice set makes a pair room).
    """
    template = None
    if template_slug:
        template = Template.objects.filter(slug=template_slug).first()
        if template is None:
            raise NotFound(f"no template {template_slug!r}")
    if kind is None:
        kind = template.kind if template else Room.Kind.INTERVIEW
    if kind not in Room.Kind.values:
        raise Invalid(f"kind must be one of {', '.join(Room.Kind.values)}")
    room = Room.objects.create(
        title=title or (template.title if template else ""),
        kind=kind,
        owner=owner,
        template=template,
    )
    if template is not None:
        RoomQuestion.objects.bulk_create(
            RoomQuestion(room=room, question_id=item.question_id, position=i, minutes=item.minutes)
            for i, item in enumerate(template.items.order_by("position"), start=1)
        )
    seats: dict[str, Seat] = {}
    tokens: dict[str, str] = {}
    for role, name, user in (
        (Seat.Role.INTERVIEWER, owner.get_username(), owner),
        (Seat.Role.CANDIDATE, "", None),
        (Seat.Role.OBSERVER, "", None),
    ):
        seats[role], tokens[role] = create_seat(room, role, name, user)
    record_event(
        room.id, "room.created", {"title": room.title, "kind": kind, "template": template_slug}
    )
    return CreatedRoom(room=room, seats=seats, tokens=tokens)


def start_if_scheduled(seat: Seat, out: Outbound) -> None:
    """The room goes live when its first interviewer or candidate arrives."""
    room = seat.room
    if room.status == Room.Status.SCHEDULED and seat.role != Seat.Role.OBSERVER:
        room.status = Room.Status.LIVE
        room.started_at = timezone.now()
        room.save(update_fields=["status", "started_at"])
        record_event(room.id, "room.started", {}, actor=seat)
        out.to(EVERYONE, {"type": "room.started", "room": s.room_payload(room)})


@transaction.atomic
def end_room(seat: Seat) -> Outbound:
    """End the room: candidate and observer links die, the code is frozen as it stands;
    interviewers keep their notes and scores."""
    seat, can = actor(seat)
    require(can.talk, "the room has ended")
    require(can.interviewer, "only interviewers may end the room")
    room = seat.room
    now = timezone.now()
    if room.timer_status == Room.Timer.RUNNING and room.timer_started_at:
        room.timer_elapsed_ms = room.elapsed_ms(now)
        room.timer_status = Room.Timer.PAUSED
        room.timer_started_at = None
    room.status = Room.Status.ENDED
    room.ended_at = now
    room.save()
    record_event(room.id, "room.ended", {}, actor=seat)
    out = Outbound(refresh=True).to(
        EVERYONE, {"type": "room.ended", "room": s.room_payload(room), "by": seat.id}
    )
    return on_commit(room.id, out)


@transaction.atomic
def swap_roles(seat: Seat) -> Outbound:
    """Pair practice: the interviewer and the candidate trade places (and what they see)."""
    seat, can = actor(seat)
    pair_player = can.control and seat.room.kind == Room.Kind.PAIR
    require(pair_player, "roles can only be swapped by the pair of a pair-practice room")
    pair = list(
        seat.room.seats.filter(
            revoked_at__isnull=True, role__in=[Seat.Role.INTERVIEWER, Seat.Role.CANDIDATE]
        )
    )
    for other in pair:
        other.role = (
            Seat.Role.CANDIDATE if other.role == Seat.Role.INTERVIEWER else Seat.Role.INTERVIEWER
        )
        other.save(update_fields=["role"])
    record_event(
        seat.room_id, "roles.swapped", {"roles": {str(o.id): o.role for o in pair}}, actor=seat
    )
    return on_commit(seat.room_id, Outbound(refresh=True))


@transaction.atomic
def set_name(seat: Seat, name: Any) -> Outbound:
    """A participant says who they are (the candidate's name form)."""
    name = text(name, "name", NAME_MAX_CHARS, allow_empty=False).strip()
    seat, can = actor(seat)
    if seat.name == name:  # nothing changed: nothing to record or tell
        return Outbound()
    seat.name = name
    seat.save(update_fields=["name"])
    record_event(seat.room_id, "seat.named", {"seat": seat.id, "name": name}, actor=seat)
    audience = EVERYONE if can.visible else BEHIND_THE_GLASS
    out = Outbound().to(audience, {"type": "presence", **s.presence_payload(seat)})
    return on_commit(seat.room_id, out)


__all__ = ["CreatedRoom", "Forbidden", "create_room", "end_room", "set_name", "swap_roles"]
