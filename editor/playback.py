"""Playback: the room's code as it stood at any instant, from the update log.

The code at instant t is every update of the room stored at or before t, applied in log order.
A room's update times grow with its ids (the store takes the time under the room's
lock), so "stored at or before t" is a prefix of the log, and a snapshot (the state up to an
update id) is a checkpoint for every instant from its own time on. Answering an instant costs
one checkpoint plus at most a checkpoint interval of updates, however long the room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from pycrdt import Doc, Text

from editor.models import DocSnapshot, DocUpdate

SNAPSHOT_EVERY = 500  # updates between two snapshots (editor.store folds at the same points)
# A tail longer than this means checkpoints are missing (an old room, or a log written by a
# path that does not fold snapshots): fold them once, then every later instant is quick.
MAX_TAIL = 2 * SNAPSHOT_EVERY


@dataclass(frozen=True)
class LoggedUpdate:
    id: int
    at: datetime
    seat_id: int | None
    data: bytes


def latest_snapshot(room_id: str) -> DocSnapshot | None:
    return DocSnapshot.objects.filter(room_id=room_id).order_by("-upto").first()


def fill_checkpoints(room_id: str) -> int:
    """Fold every due snapshot of the room in one pass over the log; returns how many were made.

    Every SNAPSHOT_EVERY updates after the latest snapshot, so live loading and playback share
    them. Two callers folding the same room at once make the same snapshots; the second one's
    copies are skipped (one snapshot per point).
    """
    with transaction.atomic():
        latest = latest_snapshot(room_id)
        doc: Doc = Doc()
        since = 0
        if latest is not None:
            doc.apply_update(bytes(latest.data))
            since = latest.upto
        rows = DocUpdate.objects.filter(room_id=room_id, id__gt=since).order_by("id")
        made: list[DocSnapshot] = []
        log = rows.values_list("id", "at", "data").iterator(chunk_size=2000)
        for folded, (row_id, at, data) in enumerate(log, start=1):
            doc.apply_update(bytes(data))
            if folded % SNAPSHOT_EVERY == 0:
                made.append(DocSnapshot(room_id=room_id, upto=row_id, at=at, data=doc.get_update()))
        DocSnapshot.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


def checkpoint_before(room_id: str, at: datetime) -> DocSnapshot | None:
    """The latest snapshot whose state is entirely at or before `at`."""
    return DocSnapshot.objects.filter(room_id=room_id, at__lte=at).order_by("-upto").first()


def _tail(room_id: str, after_id: int, at: datetime) -> list[bytes]:
    rows = DocUpdate.objects.filter(room_id=room_id, id__gt=after_id, at__lte=at).order_by("id")
    return [bytes(data) for data in rows.values_list("data", flat=True)]


def doc_at(room_id: str, at: datetime) -> Doc:
    """The room's document with every update stored at or before `at` applied."""
    checkpoint = checkpoint_before(room_id, at)
    tail = _tail(room_id, checkpoint.upto if checkpoint else 0, at)
    if len(tail) > MAX_TAIL and fill_checkpoints(room_id):
        checkpoint = checkpoint_before(room_id, at)
        tail = _tail(room_id, checkpoint.upto if checkpoint else 0, at)
    doc: Doc = Doc()
    if checkpoint is not None:
        doc.apply_update(bytes(checkpoint.data))
    for update in tail:
        doc.apply_update(update)
    return doc


def code_at(room_id: str, at: datetime, names: list[str]) -> dict[str, str]:
    """The code of each named Y.Text at instant `at` ("" for a text not yet written)."""
    doc = doc_at(room_id, at)
    return {name: str(doc.get(name, type=Text)) for name in names}


def code_now(room_id: str, names: list[str]) -> dict[str, str]:
    """The code of each named Y.Text as stored now."""
    return code_at(room_id, timezone.now(), names)


def replay_from_start(room_id: str, at: datetime, names: list[str]) -> dict[str, str]:
    """The reference: every update up to `at` applied from an empty document, no checkpoint.

    Slow on long rooms; the benchmark and the tests compare code_at against it.
    """
    doc: Doc = Doc()
    for update in _tail(room_id, 0, at):
        doc.apply_update(update)
    return {name: str(doc.get(name, type=Text)) for name in names}


def update_log(room_id: str) -> list[LoggedUpdate]:
    """The whole log with who sent each update (so a page can colour each participant's edits)."""
    rows = DocUpdate.objects.filter(room_id=room_id).order_by("id")
    return [
        LoggedUpdate(id=row_id, at=at, seat_id=seat_id, data=bytes(data))
        for row_id, at, seat_id, data in rows.values_list("id", "at", "seat_id", "data")
    ]


def checkpoints(room_id: str) -> list[DocSnapshot]:
    """Every snapshot of the room in log order (folding any that are due first)."""
    fill_checkpoints(room_id)
    return list(DocSnapshot.objects.filter(room_id=room_id).order_by("upto"))
