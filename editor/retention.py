"""Keeping the update log bounded: an old room's keystrokes folded into checkpoints.

A live room stores one update per keystroke (about 18,000 an hour for a fast, steady typist;
see docs/deploy.md). Once a room is over and old, playback needs its code at instants, not
every keystroke: `fold_log` replaces the room's log by one checkpoint per `every` of its time
(the state after the last update of each such stretch), or by the final code alone. Afterwards
`playback.code_at(t)` answers from the checkpoints: exactly at each checkpoint, and in between
with the latest checkpoint before t (at most `every` behind). Who typed which character, and
single-keystroke stepping, are gone with the keystrokes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max
from pycrdt import Doc

from editor.models import DocSnapshot, DocUpdate


@dataclass(frozen=True)
class Folded:
    updates: int  # keystrokes dropped
    checkpoints: int  # checkpoints kept


def fold_log(room_id: str, every: timedelta | None, before: datetime) -> Folded | None:
    """Replace the room's update log by checkpoints every `every` of its time (None: the final
    code only), if its last update is older than `before`; None (nothing changed) if the room
    has no log or was written to since. One transaction: the room is either folded or not."""
    if every is not None and every <= timedelta(0):
        raise ValueError("every must be positive (or None for the final code only)")
    with transaction.atomic():
        log = DocUpdate.objects.select_for_update().filter(room_id=room_id)
        summary = log.aggregate(count=Count("id"), last_at=Max("at"))
        if not summary["count"] or summary["last_at"] >= before:
            return None
        doc: Doc = Doc()
        made: list[DocSnapshot] = []
        first_at: datetime | None = None
        previous: tuple[int, datetime] | None = None
        rows = log.order_by("id").values_list("id", "at", "data").iterator(chunk_size=2000)
        for row_id, at, data in rows:
            first_at = first_at or at
            if _new_stretch(previous, at, first_at, every):
                assert previous is not None
                made.append(_checkpoint(room_id, doc, *previous))
            doc.apply_update(bytes(data))
            previous = (row_id, at)
        assert previous is not None
        made.append(_checkpoint(room_id, doc, *previous))
        DocSnapshot.objects.filter(room_id=room_id).delete()
        DocSnapshot.objects.bulk_create(made)
        dropped, _ = log.delete()
    return Folded(updates=dropped, checkpoints=len(made))


def _new_stretch(
    previous: tuple[int, datetime] | None, at: datetime, first_at: datetime, every: timedelta | None
) -> bool:
    """Whether `at` starts a new stretch of `every` (counted from the room's first update)."""
    if previous is None or every is None:
        return False
    return int((previous[1] - first_at) / every) != int((at - first_at) / every)


def _checkpoint(room_id: str, doc: Doc, upto: int, at: datetime) -> DocSnapshot:
    return DocSnapshot(room_id=room_id, upto=upto, at=at, data=doc.get_update())
