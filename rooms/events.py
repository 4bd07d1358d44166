"""The one way to append to a room's transcript.

Call inside the transaction that makes the change, so the log never disagrees with the room.
The room row is locked to hand out gap-free, ordered sequence numbers.
"""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rooms.models import Room, RoomEvent, Seat


def record_event(
    room_id: str, type: str, data: dict[str, Any] | None = None, actor: Seat | None = None
) -> RoomEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    Room.objects.filter(id=room_id).update(event_seq=F("event_seq") + 1)
    seq = Room.objects.values_list("event_seq", flat=True).get(id=room_id)
    return RoomEvent.objects.create(
        room_id=room_id, seq=seq, at=timezone.now(), actor=actor, type=type, data=data or {}
    )
