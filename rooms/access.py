"""The one rule of who may do what in a room: read it, write its code, steer it, review it.

Every channel asks here: the control channel for each frame (through the actions), the
document channel through `DocumentGate` (the editor's access gate), the pages and the API.
When a seat's rights change (revoked, the room ended, roles swapped), the action that changed
them tells every open connection of the room, on both channels and every process, to ask
again (rooms.actions.broadcast).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from editor.access import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_ROOM_ENDED, Access
from rooms.models import Room, Seat


@dataclass(frozen=True)
class Rights:
    enter: bool  # open the room: its page, both channels, read the code
    write_code: bool  # type in the shared editor (the code is frozen once the room ends)
    control: bool  # the question on display and the timer
    talk: bool  # chat
    interviewer: bool  # notes, scores, the plan, guidance, revoking seats, ending the room
    visible: bool  # candidates see this seat (observers are silent)
    presence: bool  # shows a cursor and name in the editor
    close_code: int  # why not, when it may not enter


NONE = Rights(False, False, False, False, False, False, False, CLOSE_FORBIDDEN)


def rights(seat: Seat) -> Rights:
    """What this seat may do now (its room must be loaded fresh: `seat.room`)."""
    room = seat.room
    if seat.revoked_at is not None:
        return NONE
    interviewer = seat.role == Seat.Role.INTERVIEWER
    live = room.status != Room.Status.ENDED
    if not live and not interviewer:  # candidate and observer links die with the room
        return Rights(False, False, False, False, False, False, False, CLOSE_ROOM_ENDED)
    typist = seat.role in (Seat.Role.INTERVIEWER, Seat.Role.CANDIDATE)
    pair_player = room.kind == Room.Kind.PAIR and seat.role == Seat.Role.CANDIDATE
    return Rights(
        enter=True,
        write_code=live and typist,
        control=live and (interviewer or pair_player),
        talk=live,
        interviewer=interviewer,
        visible=seat.role != Seat.Role.OBSERVER,
        presence=live and typist,
        close_code=0,
    )


def document_access(seat: Seat) -> Access:
    """The editor's view of a seat's rights."""
    now = rights(seat)
    if not now.enter:
        return Access(seat.id, read=False, close_code=now.close_code)
    return Access(seat.id, read=True, write=now.write_code, presence=now.presence)


class DocumentGate:
    """The editor's access gate (settings.EDITOR_ACCESS): seats decide."""

    def connect(self, room_id: str, scope: dict[str, Any]) -> Access:
        from rooms.seats import seat_for_scope

        # The seat first, with its room: a join is one query (about 1 ms of ORM work a
        # query); only a refusal asks which room it was and why.
        seat = seat_for_scope(room_id, scope)
        if seat is not None:
            return document_access(seat)
        room = Room.objects.filter(id=room_id).first()
        if room is None:
            return Access(None, read=False, close_code=CLOSE_NOT_FOUND)
        ended = room.status == Room.Status.ENDED
        return Access(None, read=False, close_code=CLOSE_ROOM_ENDED if ended else CLOSE_FORBIDDEN)

    def recheck(self, seats: dict[str, list[int]]) -> dict[str, dict[int, Access]]:
        wanted = {seat_id for seat_ids in seats.values() for seat_id in seat_ids}
        found = {
            (seat.room_id, seat.id): document_access(seat)
            for seat in Seat.objects.select_related("room").filter(id__in=wanted)
        }
        gone = Access(None, read=False, close_code=CLOSE_FORBIDDEN)
        return {
            room_id: {seat_id: found.get((room_id, seat_id), gone) for seat_id in seat_ids}
            for room_id, seat_ids in seats.items()
        }
