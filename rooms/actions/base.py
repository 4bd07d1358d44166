"""What every action shares: refusals, checking input, and loading the acting seat.

An action checks who may do it (rooms.access), writes the change and its transcript event in
ONE transaction, and sends what the room must learn once that transaction commits
(rooms.actions.broadcast). It returns the Outbound it sent, for tests to look at.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rooms.access import Rights, rights
from rooms.models import Room, Seat


class RoomError(Exception):
    """A refused action; `code` is the error frame's code. Nothing was changed."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(RoomError):
    code = "invalid"


class Forbidden(RoomError):
    code = "forbidden"


class NotFound(RoomError):
    code = "not_found"


class TooMany(RoomError):
    code = "rate_limited"


def actor(seat: Seat) -> tuple[Seat, Rights]:
    """Reload the acting seat with its room row locked (changes to one room happen one at a
    time), and what it may do now; a seat that may no longer enter may do nothing."""
    room = Room.objects.select_for_update().get(id=seat.room_id)
    fresh = Seat.objects.get(id=seat.id)
    fresh.room = room
    now = rights(fresh)
    if not now.enter:
        raise Forbidden("this seat is no longer valid")
    return fresh, now


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def whole_number(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Invalid(f"{name} must be a whole number from {low} to {high}")
    return value


def text(value: Any, name: str, max_chars: int, *, allow_empty: bool = True) -> str:
    """A string a person typed: bounded, and storable (PostgreSQL refuses NUL, and a lone
    surrogate cannot be encoded at all)."""
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string")
    if len(value) > max_chars:
        raise Invalid(f"{name} is longer than {max_chars} characters")
    if "\x00" in value or any(unicodedata.category(c) == "Cs" for c in value):
        raise Invalid(f"{name} contains characters that cannot be stored (NUL or a lone surrogate)")
    if not allow_empty and not value.strip():
        raise Invalid(f"{name} must not be empty")
    return value
