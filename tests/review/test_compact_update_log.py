"""Keeping the update log bounded: an old room's keystrokes folded into checkpoints still
answer "the code at an instant"; the transcript stays; live and recent rooms are untouched;
bad arguments change nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from editor import documents, playback
from editor.models import DocSnapshot, DocUpdate
from rooms.models import Room, RoomEvent
from tests.review.conftest import TWO_SUM_AT, instant

INSTANTS = sorted({*TWO_SUM_AT, *range(0, 601, 5), 179, 185, 189, 190, 199, 200})


def compact(*args: str) -> str:
    out = StringIO()
    call_command("compact_update_log", *args, stdout=out)
    return out.getvalue()


def log_of(room: Room) -> tuple[int, int]:
    room_id = str(room.id)
    return DocUpdate.objects.filter(room_id=room_id).count(), DocSnapshot.objects.filter(
        room_id=room_id
    ).count()


def test_a_folded_room_answers_the_code_at_every_instant_as_before(scripted, monkeypatch):
    names = list(scripted.texts.values())
    before = {t: playback.code_at(scripted.room.id, instant(t), names) for t in INSTANTS}
    events = RoomEvent.objects.filter(room=scripted.room).count()
    assert log_of(scripted.room)[0] == 8
    monkeypatch.undo()  # the clock is today's again: the interview ended days ago

    assert compact("--days", "1", "--every", "10") == (
        "1 rooms folded: 8 updates dropped, 8 checkpoints kept\n"
    )
    assert log_of(scripted.room) == (0, 8)
    # Its edits were at least 10 s apart: every instant answers exactly what it did.
    after = {t: playback.code_at(scripted.room.id, instant(t), names) for t in INSTANTS}
    assert after == before
    assert RoomEvent.objects.filter(room=scripted.room).count() == events  # the transcript
    # Folding again finds nothing left to fold.
    assert compact("--days", "1").startswith("0 rooms folded")


def test_every_0_keeps_the_final_code_only(scripted, monkeypatch):
    names = list(scripted.texts.values())
    final = documents.code_now(scripted.room.id, names)
    monkeypatch.undo()
    compact("--days", "1", "--every", "0")
    assert log_of(scripted.room) == (0, 1)
    assert documents.code_now(scripted.room.id, names) == final
    assert playback.code_at(scripted.room.id, instant(600), names) == final


def test_a_checkpoint_stretch_shows_its_last_state(scripted, monkeypatch):
    """Coarser than the edits: an instant answers the latest checkpoint before it."""
    names = [scripted.texts["two-sum"]]
    monkeypatch.undo()
    compact("--days", "1", "--every", "60")
    code = playback.code_at(scripted.room.id, instant(75), names)[names[0]]
    assert code == TWO_SUM_AT[60]  # the stretch 20-79 s ends at the 60 s edit
    assert playback.code_at(scripted.room.id, instant(95), names)[names[0]] == TWO_SUM_AT[60]
    assert playback.code_at(scripted.room.id, instant(600), names)[names[0]] == TWO_SUM_AT[150]


def test_live_and_recently_ended_rooms_are_untouched(scripted, monkeypatch):
    monkeypatch.undo()
    whole = log_of(scripted.room)
    Room.objects.filter(id=scripted.room.id).update(status=Room.Status.LIVE, ended_at=None)
    assert compact("--days", "1").startswith("0 rooms folded")
    Room.objects.filter(id=scripted.room.id).update(
        status=Room.Status.ENDED, ended_at=timezone.now()
    )
    assert compact("--days", "1").startswith("0 rooms folded")
    assert compact("--days", "30").startswith("0 rooms folded")
    assert log_of(scripted.room) == whole
    # A room written to after the cut-off keeps its log.
    assert documents.fold_log(str(scripted.room.id), None, before=instant(100)) is None
    assert log_of(scripted.room) == whole


@pytest.mark.parametrize(
    "args, error",
    [
        (["--days", "0"], "--days must be at least 1"),
        (["--days", "-3"], "--days must be at least 1"),
        (["--days", "1", "--every", "-1"], "--every must be 0 or more"),
        ([], "give --days N"),
    ],
)
def test_bad_arguments_are_refused_and_change_nothing(scripted, monkeypatch, args, error):
    monkeypatch.undo()
    whole = log_of(scripted.room)
    with pytest.raises(CommandError, match=error):
        compact(*args)
    assert log_of(scripted.room) == whole
