"""The one way to append to a room's transcript.

Call inside the transaction that makes the change, so the log never disagrees with the room.
The room row is locked to hand out gap-free, ordered sequence numbers.
"""

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from rooms.models import Room, RoomEvent, Seat


def record_event(
    room_id: str, type: str, data: dict[str, Any] | None = None, actor: Seat | None = None
) -> RoomEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    seq = _next_seq(room_id)
    return RoomEvent.objects.create(
        room_id=room_id, seq=seq, at=timezone.now(), actor=actor, type=type, data=data or {}
    )


def _next_seq(room_id: str) -> int:
    """Take the room's next sequence number in one statement (the ORM's update cannot return
    it); the update locks the room row until the transaction ends, so numbers are gap-free
    and in commit order."""
    table = connection.ops.quote_name(Room._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET event_seq = event_seq + 1 WHERE id = %s RETURNING event_seq",
            [room_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"no room {room_id!r}")
    return int(row[0])
