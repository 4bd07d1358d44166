"""Who may read and write a room's document: the editor asks, the app that owns rooms decides.

`settings.EDITOR_ACCESS` names a class with two methods (see `Gate`); the editor imports
nothing of that app. It asks once when a connection opens, again for every open connection of
a room when told that access to the room changed (a seat revoked, the room ended, roles
swapped: `editor.documents.access_changed`), and for all of them every DOC_RESYNC_S seconds,
in case such news was lost on its way between processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

CLOSE_FORBIDDEN = 4403  # no valid seat (revoked, a dead link)
CLOSE_NOT_FOUND = 4404  # no such room
CLOSE_ROOM_ENDED = 4410  # the room has ended for this seat


@dataclass(frozen=True)
class Access:
    seat_id: int | None  # recorded as the author of this connection's updates
    read: bool
    write: bool = False
    presence: bool = False  # may show its cursor and name to the others (awareness)
    close_code: int = CLOSE_FORBIDDEN  # why not, when it may not read


class Gate(Protocol):
    def connect(self, room_id: str, scope: dict[str, Any]) -> Access:
        """What a new connection (its ASGI scope: token, session, user) may do."""
        ...

    def recheck(self, seats: dict[str, list[int]]) -> dict[str, dict[int, Access]]:
        """What each of these seats (by room) may do now, one answer per seat id: one question
        however many rooms, since a process asks for all its rooms every DOC_RESYNC_S."""
        ...


@cache
def gate() -> Gate:
    gate_class: Any = import_string(settings.EDITOR_ACCESS)
    return gate_class()
