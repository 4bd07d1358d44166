"""Who is in the room: connections opening and closing, staying alive, and the signals a
page sends about its tab (focus) and the editor (a large paste)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from relay import liveness
from rooms import serializers as s
from rooms.actions.base import Invalid, NotFound, TooMany, actor, require, whole_number
from rooms.actions.broadcast import on_commit
from rooms.actions.lifecycle import start_if_scheduled
from rooms.events import record_event
from rooms.live import BEHIND_THE_GLASS, EVERYONE, INTERVIEWERS, Audience, Outbound
from rooms.models import Connection, Room, Seat

MAX_CONNECTIONS_PER_SEAT = 10


def _about(seat: Seat) -> Audience:
    """Who may hear of this seat's comings and goings: observers stay silent to candidates."""
    return EVERYONE if seat.role != Seat.Role.OBSERVER else BEHIND_THE_GLASS


def _presence(seat: Seat, out: Outbound) -> Outbound:
    return out.to(_about(seat), {"type": "presence", **s.presence_payload(seat)})


def _sweep_stale(room_id: str, out: Outbound) -> None:
    """Forget connections of processes that died without saying so (SIGKILL, lost host): at
    once when Redis shows the process is gone (relay.liveness), else once stale (FRESH)."""
    here = Connection.objects.filter(seat__room_id=room_id)
    names = list(here.values_list("channel_name", flat=True))
    dead = liveness.dead({p for name in names if (p := liveness.process_of(name))})
    on_dead = [name for name in names if liveness.process_of(name) in dead]
    since = timezone.now() - s.FRESH
    stale = here.filter(Q(last_seen__lt=since) | Q(channel_name__in=on_dead))
    by_seat = stale.values("seat_id").annotate(at=Max("last_seen"))
    last_heard = dict(by_seat.values_list("seat_id", "at"))
    stale.delete()
    for seat in Seat.objects.filter(id__in=last_heard).order_by("id"):
        if not Connection.objects.filter(seat=seat).exists():
            data = {"seat": seat.id, "reason": "lost", "last_seen": s.iso(last_heard[seat.id])}
            record_event(room_id, "leave", data, actor=None)
            _presence(seat, out)


def forget_dead(processes: set[str]) -> set[str]:
    """Sweep the rooms that have connections of these dead processes (each room under its
    lock, as a join does); returns the processes none of whose connections are left."""
    of_them = Q()
    for process in processes:
        of_them |= Q(channel_name__startswith=f"c.{process}.")
    rooms = set(Connection.objects.filter(of_them).values_list("seat__room_id", flat=True))
    for room_id in sorted(rooms):
        with transaction.atomic():
            Room.objects.select_for_update().filter(id=room_id).first()
            out = Outbound()
            _sweep_stale(room_id, out)
            on_commit(room_id, out)
    left = Connection.objects.filter(of_them).values_list("channel_name", flat=True)
    return processes - {liveness.process_of(name) for name in left}


def fresh_connection_count(seat: Seat) -> int:
    since = timezone.now() - s.FRESH
    return Connection.objects.filter(seat=seat, last_seen__gte=since).count()


@transaction.atomic
def join(seat: Seat, connection_id: str) -> Outbound:
    """A connection of this seat opened; the first one makes the seat online. The room row is
    locked meanwhile, so the limit of connections per seat holds however many open at once."""
    seat, _ = actor(seat)
    out = Outbound()
    _sweep_stale(seat.room_id, out)
    count = fresh_connection_count(seat)
    if count >= MAX_CONNECTIONS_PER_SEAT:
        raise TooMany("this seat is open in too many tabs")
    Connection.objects.create(seat=seat, channel_name=connection_id)
    start_if_scheduled(seat, out)
    if count == 0:
        record_event(seat.room_id, "join", {"seat": seat.id, "role": seat.role}, actor=seat)
    _presence(seat, out)  # online, or one more tab of a seat already here
    return on_commit(seat.room_id, out)


@transaction.atomic
def leave(seat: Seat, connection_id: str) -> Outbound:
    """A connection closed; the last one makes the seat offline."""
    Room.objects.select_for_update().get(id=seat.room_id)
    if not Connection.objects.filter(channel_name=connection_id).delete()[0]:
        return Outbound()
    seat = Seat.objects.select_related("room").get(id=seat.id)
    if fresh_connection_count(seat) > 0:  # one tab fewer: the others still hold the seat
        return on_commit(seat.room_id, _presence(seat, Outbound()))
    record_event(seat.room_id, "leave", {"seat": seat.id}, actor=seat)
    if seat.revoked_at is not None:  # removed: the room's fresh state already left it out
        return Outbound()
    return on_commit(seat.room_id, _presence(seat, Outbound()))


def touch(connection_id: str) -> bool:
    """The connection is alive (pings); False when it was forgotten meanwhile (its process
    looked dead for a moment): the consumer then joins again."""
    now = timezone.now()
    return bool(Connection.objects.filter(channel_name=connection_id).update(last_seen=now))


def heartbeat(room_id: str) -> Outbound:
    """Every open socket, now and then (after its touch): sweep stale connections."""
    since = timezone.now() - s.FRESH
    if not Connection.objects.filter(seat__room_id=room_id, last_seen__lt=since).exists():
        return Outbound()
    with transaction.atomic():
        Room.objects.select_for_update().filter(id=room_id).first()
        out = Outbound()
        _sweep_stale(room_id, out)
        return on_commit(room_id, out)


@transaction.atomic
def set_focus(seat: Seat, connection_id: str, focused: Any) -> Outbound:
    """The participant's tab gained or lost focus: a signal for the transcript."""
    if not isinstance(focused, bool):
        raise Invalid("focus must be true or false")
    seat, can = actor(seat)
    require(can.talk, "the room has ended")
    updated = Connection.objects.filter(channel_name=connection_id, seat=seat).update(
        focused=focused, last_seen=timezone.now()
    )
    if not updated:
        raise NotFound("this connection is not registered")
    record_event(seat.room_id, "focus", {"seat": seat.id, "focused": focused}, actor=seat)
    return on_commit(seat.room_id, _presence(seat, Outbound()))


@transaction.atomic
def record_paste(seat: Seat, chars: Any) -> Outbound:
    """The participant pasted text into the editor: a signal interviewers may want to see."""
    chars = whole_number(chars, "chars", 1, 10_000_000)
    seat, can = actor(seat)
    require(can.talk, "the room has ended")
    record_event(seat.room_id, "paste", {"seat": seat.id, "chars": chars}, actor=seat)
    frame = {"type": "signal", "kind": "paste", "seat": seat.id, "chars": chars}
    return on_commit(seat.room_id, Outbound().to(INTERVIEWERS, frame))
