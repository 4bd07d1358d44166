"""Seats are capabilities: a random token per seat, stored hashed, compared in constant time.

A browser exchanges its token for a session binding (session["seats"][room_id] = seat_id);
non-browser clients pass ?token=T on the websocket URL. An interviewer who owns the room
reaches its interviewer seat through their login. This module says which seat a request
is; rooms.access says what that seat may do.
"""

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from rooms.access import rights
from rooms.models import Room, Seat

TOKEN_BYTES = 24  # 192 bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_seat(room: Room, role: str, name: str = "", user: Any = None) -> tuple[Seat, str]:
    """Create a seat and return it with its token (the only time the token exists in clear)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    seat = Seat.objects.create(
        room=room, role=role, name=name, user=user, token_hash=hash_token(token)
    )
    return seat, token


def seat_is_usable(seat: Seat) -> bool:
    """The seat may still enter its room (not revoked; not a dead link of an ended room)."""
    return rights(seat).enter


def _seat_of_token(room_id: str, token: str) -> Seat | None:
    """The seat of this room the token names, usable or not."""
    if not token or len(token) > 200:
        return None
    seat = Seat.objects.select_related("room").filter(token_hash=hash_token(token)).first()
    # The lookup is by hash; compare again in constant time and check the room.
    if seat is None or not hmac.compare_digest(seat.token_hash, hash_token(token)):
        return None
    return seat if seat.room_id == room_id else None


def seat_for_token(room_id: str, token: str) -> Seat | None:
    """The usable seat of this room that the token opens, or None."""
    seat = _seat_of_token(room_id, token)
    return seat if seat is not None and seat_is_usable(seat) else None


def ended_for_token(room_id: str, token: str) -> Room | None:
    """The room, when the token is a live seat's link of a room that has ended (the link is
    dead, but its holder deserves to hear why)."""
    seat = _seat_of_token(room_id, token)
    if seat is None or seat.revoked_at is not None or seat.room.status != Room.Status.ENDED:
        return None
    return seat.room


def ended_for_session(room_id: str, session: Any) -> Room | None:
    """The room, when this browser was bound to one of its live seats and the room has ended."""
    seat_id = (session.get("seats") or {}).get(room_id) if session is not None else None
    if seat_id is None:
        return None
    seat = Seat.objects.select_related("room").filter(id=seat_id, room_id=room_id).first()
    if seat is None or seat.revoked_at is not None or seat.room.status != Room.Status.ENDED:
        return None
    return seat.room


def seat_for_user(room_id: str, user: AbstractBaseUser | AnonymousUser | None) -> Seat | None:
    """An authenticated owner of the room reaches their seat (an interviewer seat if none).

    Their seat, whatever its role: after a pair room's role swap the owner plays the candidate.
    """
    if user is None or not user.is_authenticated:
        return None
    room = Room.objects.filter(id=room_id, owner_id=user.pk).first()
    if room is None:
        return None
    with transaction.atomic():
        seat = room.seats.filter(user_id=user.pk, revoked_at=None).order_by("id").first()
        if seat is None:
            seat, _ = create_seat(room, Seat.Role.INTERVIEWER, user.get_username(), user)
    return seat if seat_is_usable(seat) else None


def seat_for_session(room_id: str, session: Any) -> Seat | None:
    if session is None:
        return None
    seat_id = (session.get("seats") or {}).get(room_id)
    if seat_id is None:
        return None
    seat = Seat.objects.select_related("room").filter(id=seat_id, room_id=room_id).first()
    return seat if seat is not None and seat_is_usable(seat) else None


def bind_seat_to_session(session: Any, seat: Seat) -> None:
    seats = dict(session.get("seats") or {})
    seats[seat.room_id] = seat.id
    session["seats"] = seats
    session.cycle_key()  # a new session key on privilege change


def seat_for_scope(room_id: str, scope: dict[str, Any]) -> Seat | None:
    """The seat a websocket connects as: ?token=, else the session binding, else the login."""
    query = parse_qs(scope.get("query_string", b"").decode(errors="replace"))
    tokens = query.get("token")
    if tokens:
        return seat_for_token(room_id, tokens[0])
    return seat_for_session(room_id, scope.get("session")) or seat_for_user(
        room_id, scope.get("user")
    )


def seat_for_request(room_id: str, request: Any) -> Seat | None:
    """The seat a page request acts as: the session binding, else the login."""
    return seat_for_session(room_id, request.session) or seat_for_user(room_id, request.user)


def reviewer_seat(room_id: str, request: Any) -> Seat | None:
    """The seat a review request (review page, API, export) acts as; None if it may not review.

    Reviewing is for interviewers: the room's owner, a user holding one of its interviewer
    seats, or a browser bound to an interviewer seat by its link. Candidate and observer seats
    never may, whatever else the request carries.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        mine = Seat.objects.select_related("room").filter(
            room_id=room_id, user_id=user.pk, revoked_at=None
        )
        seat = mine.filter(role=Seat.Role.INTERVIEWER).order_by("id").first()
        if seat is not None and rights(seat).interviewer:
            return seat
        if Room.objects.filter(id=room_id, owner_id=user.pk).exists():
            # The owner always may (after a pair room's swap they hold the candidate seat).
            return mine.order_by("id").first() or seat_for_user(room_id, user)
    seat = seat_for_session(room_id, getattr(request, "session", None))
    return seat if seat is not None and rights(seat).interviewer else None


def room_for_reviewer(room_id: str, request: Any) -> Room | None:
    """The room, if this request may review it (playback, transcript, scorecard), else None."""
    seat = reviewer_seat(room_id, request)
    return seat.room if seat is not None else None
