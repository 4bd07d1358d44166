"""Code at any instant: the update log applied up to that instant, checkpoints or not."""

import threading

import pytest
from django.db import connection

from editor import documents, playback
from editor.models import DocSnapshot
from tests.review.conftest import FIZZ_FINAL, FIZZ_STARTER, TWO_SUM_AT, instant


@pytest.mark.parametrize("seconds", sorted(TWO_SUM_AT))
def test_code_at_each_scripted_instant(scripted, seconds):
    code = playback.code_at(scripted.room.id, instant(seconds), [scripted.texts["two-sum"]])
    assert code == {scripted.texts["two-sum"]: TWO_SUM_AT[seconds]}


def test_an_instant_between_edits_shows_the_earlier_edit(scripted):
    names = list(scripted.texts.values())
    assert playback.code_at(scripted.room.id, instant(89.999), names) == {
        scripted.texts["two-sum"]: TWO_SUM_AT[60],
        scripted.texts["fizz-buzz"]: "",
    }


def test_code_at_the_end_is_the_final_code(scripted):
    names = list(scripted.texts.values())
    final = documents.code_now(scripted.room.id, names)
    assert final == {
        scripted.texts["two-sum"]: TWO_SUM_AT[150],
        scripted.texts["fizz-buzz"]: FIZZ_FINAL,
    }
    assert playback.code_at(scripted.room.id, instant(600), names) == final
    fizz = scripted.texts["fizz-buzz"]
    assert playback.code_at(scripted.room.id, instant(185), names)[fizz] == FIZZ_STARTER
    assert playback.code_at(scripted.room.id, instant(190), names)[fizz] == (
        FIZZ_STARTER + "# edge cases?\n"
    )


def test_checkpoints_give_the_same_code_as_a_full_replay(scripted, monkeypatch):
    """With a checkpoint every 2 updates, every instant still answers what a replay does."""
    monkeypatch.setattr(playback, "SNAPSHOT_EVERY", 2)
    monkeypatch.setattr(playback, "MAX_TAIL", 2)
    names = list(scripted.texts.values())
    assert playback.fill_checkpoints(scripted.room.id) == 4  # 8 updates: after 2, 4, 6 and 8
    assert DocSnapshot.objects.filter(room_id=scripted.room.id).count() == 4
    for seconds in [*TWO_SUM_AT, 179, 180, 190, 199, 200, 600]:
        at = instant(seconds)
        assert playback.code_at(scripted.room.id, at, names) == playback.replay_from_start(
            scripted.room.id, at, names
        )


def test_missing_checkpoints_are_folded_on_first_use(scripted, monkeypatch):
    monkeypatch.setattr(playback, "SNAPSHOT_EVERY", 2)
    monkeypatch.setattr(playback, "MAX_TAIL", 2)
    assert not DocSnapshot.objects.filter(room_id=scripted.room.id).exists()
    code = playback.code_at(scripted.room.id, instant(600), [scripted.texts["two-sum"]])
    assert code == {scripted.texts["two-sum"]: TWO_SUM_AT[150]}
    assert DocSnapshot.objects.filter(room_id=scripted.room.id).count() == 4


def test_the_log_says_who_made_each_update(scripted):
    log = playback.update_log(scripted.room.id)
    interviewer, candidate = scripted.seats["interviewer"].id, scripted.seats["candidate"].id
    # Starter code is the server's (no seat); the rest is typed.
    assert [(u.at, u.seat_id) for u in log] == [
        (instant(20), None),
        (instant(60), candidate),
        (instant(90), candidate),
        (instant(120), candidate),
        (instant(150), candidate),
        (instant(180), None),
        (instant(190), interviewer),
        (instant(200), candidate),
    ]


@pytest.mark.django_db(transaction=True)
def test_requests_folding_a_room_at_once_make_each_checkpoint_once(scripted, monkeypatch):
    """The review page asks for several things at once, and each may fold checkpoints: they
    all answer right, and each checkpoint is stored once."""
    monkeypatch.setattr(playback, "SNAPSHOT_EVERY", 2)
    monkeypatch.setattr(playback, "MAX_TAIL", 2)
    start = threading.Barrier(3)
    answers = []

    def review_request():
        start.wait(10)
        answers.append(
            playback.code_at(scripted.room.id, instant(600), [scripted.texts["two-sum"]])
        )
        connection.close()

    requests = [threading.Thread(target=review_request) for _ in range(3)]
    for request in requests:
        request.start()
    for request in requests:
        request.join()
    assert answers == [{scripted.texts["two-sum"]: TWO_SUM_AT[150]}] * 3
    uptos = list(
        DocSnapshot.objects.filter(room_id=scripted.room.id).values_list("upto", flat=True)
    )
    assert len(uptos) == 4 and len(set(uptos)) == 4
