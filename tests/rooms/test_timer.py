import threading
from datetime import timedelta

import pytest
from django.db import connection

from rooms import actions
from rooms.models import Room, RoomEvent
from rooms.serializers import timer_payload


def timer_events(room):
    return list(
        RoomEvent.objects.filter(room=room, type__startswith="timer.").values_list(
            "type", flat=True
        )
    )


def rewind(room, seconds):
    """Pretend the running timer was started `seconds` earlier."""
    Room.objects.filter(id=room.id).update(
        timer_started_at=Room.objects.get(id=room.id).timer_started_at - timedelta(seconds=seconds)
    )


def test_start_pause_resume_reset(room):
    interviewer = room.seats["interviewer"]
    out = actions.timer_start(interviewer, 600)
    frame = out.frames[0][1]
    assert frame["type"] == "timer.state" and frame["status"] == "running"
    assert frame["duration_ms"] == 600_000 and frame["elapsed_ms"] < 1000
    rewind(room.room, 90)
    actions.timer_pause(interviewer)
    paused = Room.objects.get(id=room.room.id)
    assert paused.timer_status == "paused" and 90_000 <= paused.timer_elapsed_ms < 95_000
    actions.timer_resume(interviewer)
    actions.timer_add(interviewer, 60)
    running = Room.objects.get(id=room.room.id)
    assert running.timer_status == "running" and running.timer_duration_ms == 660_000
    actions.timer_reset(interviewer)
    reset = Room.objects.get(id=room.room.id)
    assert (reset.timer_status, reset.timer_elapsed_ms) == ("idle", 0)
    assert timer_events(room.room) == [
        "timer.start",
        "timer.pause",
        "timer.resume",
        "timer.add",
        "timer.reset",
    ]


def test_candidate_cannot_touch_the_timer(room):
    for action in (
        lambda s: actions.timer_start(s, 60),
        actions.timer_pause,
        actions.timer_reset,
    ):
        with pytest.raises(actions.Forbidden):
            action(room.seats["candidate"])
    assert Room.objects.get(id=room.room.id).timer_status == "idle"
    assert timer_events(room.room) == []


@pytest.mark.parametrize("duration", [0, -5, 10**9, "60", 1.5, True, None])
def test_bad_durations_are_refused(room, duration):
    with pytest.raises(actions.Invalid):
        actions.timer_start(room.seats["interviewer"], duration)
    assert timer_events(room.room) == []


def test_pausing_a_timer_that_is_not_running_is_refused(room):
    with pytest.raises(actions.Invalid):
        actions.timer_pause(room.seats["interviewer"])
    with pytest.raises(actions.Invalid):
        actions.timer_add(room.seats["interviewer"], 60)
    assert timer_events(room.room) == []


def test_expiry_is_recorded_once(room):
    actions.timer_start(room.seats["interviewer"], 60)
    assert actions.expire_timer_if_due(room.room.id).frames == []  # not due yet
    rewind(room.room, 61)
    out = actions.expire_timer_if_due(room.room.id)
    assert out.frames[0][1]["status"] == "expired"
    assert out.frames[0][1]["elapsed_ms"] == 60_000
    assert actions.expire_timer_if_due(room.room.id).frames == []
    assert timer_events(room.room) == ["timer.start", "timer.expired"]
    assert timer_payload(Room.objects.get(id=room.room.id))["status"] == "expired"


@pytest.mark.django_db(transaction=True)
def test_processes_racing_to_expire_record_it_once(bank, alice):
    room = actions.create_room(alice, "race", "screen")
    actions.timer_start(room.seats["interviewer"], 1)
    rewind(room.room, 5)
    results = []

    def expire():
        results.append(bool(actions.expire_timer_if_due(room.room.id).frames))
        connection.close()

    threads = [threading.Thread(target=expire) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    assert timer_events(room.room).count("timer.expired") == 1


def test_more_time_revives_an_expired_timer(room):
    actions.timer_start(room.seats["interviewer"], 60)
    rewind(room.room, 120)
    actions.expire_timer_if_due(room.room.id)
    actions.timer_add(room.seats["interviewer"], 300)
    revived = Room.objects.get(id=room.room.id)
    assert revived.timer_status == "running"
    assert timer_payload(revived)["elapsed_ms"] < 61_000
