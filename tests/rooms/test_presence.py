import signal
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from rooms import actions
from rooms.live import EVERYONE, INTERVIEWERS
from rooms.models import Connection, RoomEvent
from rooms.serializers import iso, participants


def events(room):
    return list(
        RoomEvent.objects.filter(
            room=room, type__in=["join", "leave", "focus", "paste"]
        ).values_list("type", "data")
    )


def lost(room, seat):
    """The seat's "connection lost" events, with when it was last heard."""
    leaves = RoomEvent.objects.filter(room=room, type="leave", data__reason="lost")
    return [e.data["last_seen"] for e in leaves if e.data["seat"] == seat.id]


def online(room):
    return {p["role"]: p["online"] for p in participants(room, "interviewer")}


def test_first_connection_joins_and_last_one_leaves(room):
    candidate = room.seats["candidate"]
    first = actions.join(candidate, "chan-1")
    assert [f["online"] for _, f in first.frames if f["type"] == "presence"] == [True]
    # A second tab is no new join, but the people list notes it (and its closing).
    second = actions.join(candidate, "chan-2").frames
    assert [(f["online"], f["tabs"]) for _, f in second if f["type"] == "presence"] == [(True, 2)]
    assert online(room.room)["candidate"] is True
    one_left = actions.leave(candidate, "chan-1").frames
    assert [(f["online"], f["tabs"]) for _, f in one_left] == [(True, 1)]
    last = actions.leave(candidate, "chan-2")
    assert last.frames[0][1] == {
        "type": "presence",
        "seat": candidate.id,
        "role": "candidate",
        "name": "",
        "online": False,
        "focused": False,
        "tabs": 0,
    }
    assert events(room.room) == [
        ("join", {"seat": candidate.id, "role": "candidate"}),
        ("leave", {"seat": candidate.id}),
    ]
    assert not Connection.objects.exists()


def test_joining_starts_a_scheduled_room(room):
    actions.join(room.seats["observer"], "chan-o")
    room.room.refresh_from_db()
    assert room.room.status == "scheduled"
    out = actions.join(room.seats["candidate"], "chan-c")
    room.room.refresh_from_db()
    assert room.room.status == "live" and room.room.started_at is not None
    assert (
        EVERYONE,
        {
            "type": "room.started",
            "room": {
                "id": room.room.id,
                "title": "Backend screen",
                "status": "live",
                "kind": "interview",
            },
        },
    ) in out.frames
    assert RoomEvent.objects.filter(room=room.room, type="room.started").count() == 1


def test_connections_of_a_dead_process_go_stale_and_are_swept(room):
    candidate = room.seats["candidate"]
    actions.join(candidate, "chan-of-killed-process")
    Connection.objects.update(last_seen=timezone.now() - timedelta(minutes=5))
    assert online(room.room)["candidate"] is False
    actions.join(room.seats["interviewer"], "chan-i")
    assert not Connection.objects.filter(channel_name="chan-of-killed-process").exists()
    assert len(lost(room.room, candidate)) == 1


def test_focus_and_paste_are_signals_in_the_transcript(room):
    candidate = room.seats["candidate"]
    actions.join(candidate, "chan-c")
    out = actions.set_focus(candidate, "chan-c", False)
    assert out.frames[0][1]["focused"] is False
    paste = actions.record_paste(candidate, 420)
    assert paste.frames == [
        (INTERVIEWERS, {"type": "signal", "kind": "paste", "seat": candidate.id, "chars": 420})
    ]
    assert events(room.room)[1:] == [
        ("focus", {"seat": candidate.id, "focused": False}),
        ("paste", {"seat": candidate.id, "chars": 420}),
    ]


@pytest.mark.parametrize("focused", ["no", 0, None])
def test_bad_focus_is_refused(room, focused):
    actions.join(room.seats["candidate"], "chan-c")
    with pytest.raises(actions.Invalid):
        actions.set_focus(room.seats["candidate"], "chan-c", focused)
    assert Connection.objects.get().focused is True


def test_heartbeat_sweeps_a_dead_process_and_says_who_left(room):
    candidate = room.seats["candidate"]
    actions.join(room.seats["interviewer"], "chan-alive")
    actions.join(candidate, "chan-of-killed-process")
    Connection.objects.filter(channel_name="chan-of-killed-process").update(
        last_seen=timezone.now() - timedelta(minutes=5)
    )
    out = actions.heartbeat(room.room.id)
    assert out.frames == [
        (
            EVERYONE,
            {
                "type": "presence",
                "seat": candidate.id,
                "role": "candidate",
                "name": "",
                "online": False,
                "focused": False,
                "tabs": 0,
            },
        )
    ]
    assert len(lost(room.room, candidate)) == 1
    assert actions.heartbeat(room.room.id).frames == []
    assert list(Connection.objects.values_list("channel_name", flat=True)) == ["chan-alive"]


@pytest.fixture
def processes():
    """Server processes as Redis sees them (relay.liveness): `start(name)` subscribes to the
    process's channel and lists it, as a living process does; `kill(name)` closes its Redis
    connection, as the system does when a process dies."""
    listed, channel = f"{settings.CHANNEL_PREFIX}.processes", f"{settings.CHANNEL_PREFIX}.process."
    client = redis.Redis.from_url(settings.REDIS_URL)
    subscriptions: dict[str, redis.client.PubSub] = {}

    class Processes:
        def start(self, name: str) -> str:
            subscriptions[name] = pubsub = client.pubsub()
            pubsub.subscribe(channel + name)
            assert pubsub.get_message(timeout=2)["type"] == "subscribe"
            client.sadd(listed, name)
            return name

        def kill(self, name: str) -> None:
            subscriptions.pop(name).close()

    yield Processes()
    for pubsub in subscriptions.values():
        pubsub.close()
    client.srem(listed, *["living", "killed", "unlisted"])
    client.close()


def test_a_killed_process_is_forgotten_at_once_and_a_living_one_is_not(room, processes):
    """The quiet heartbeat of a living process (50 s, still within FRESH) keeps its seat; a
    process not listed (Redis restarted and it has not listed itself again yet) counts as
    living; a listed process whose Redis connection closed is dead: its seat is lost at the
    next join, with when it was last heard."""
    candidate, observer = room.seats["candidate"], room.seats["observer"]
    living, killed = processes.start("living"), processes.start("killed")
    actions.join(candidate, f"c.{killed}.1")
    actions.join(observer, f"c.{living}.1")
    actions.join(room.seats["interviewer"], "c.unlisted.1")
    heard = timezone.now() - timedelta(seconds=50)
    Connection.objects.update(last_seen=heard)
    assert actions.join(observer, f"c.{living}.2").frames[0][1]["online"] is True
    assert online(room.room) == {"interviewer": True, "candidate": True, "observer": True}
    assert lost(room.room, candidate) == []

    processes.kill(killed)
    out = actions.join(observer, f"c.{living}.3")
    gone = [f for _, f in out.frames if f["type"] == "presence" and f["seat"] == candidate.id]
    assert [f["online"] for f in gone] == [False]
    assert online(room.room) == {"interviewer": True, "candidate": False, "observer": True}
    assert lost(room.room, candidate) == [iso(heard)]


def test_a_redis_that_just_started_judges_nobody_dead(room, own_redis, settings):
    """A Redis that kept the list of processes on disk comes back without their subscriptions
    (they return within a second or two): until then every process counts as alive."""
    settings.REDIS_URL = own_redis.url
    redis.Redis.from_url(own_redis.url).sadd(f"{settings.CHANNEL_PREFIX}.processes", "restored")
    actions.join(room.seats["candidate"], "c.restored.1")
    actions.join(room.seats["interviewer"], "c.restored.2")
    assert online(room.room)["candidate"] is True
    assert lost(room.room, room.seats["candidate"]) == []


def test_a_hanging_redis_judges_nobody_dead_and_joins_do_not_wait(room, own_redis, settings):
    """Redis stops answering: each join holds the room's lock, so after one timed-out question
    (1 s) the next joins do not ask for a while; meanwhile nobody is judged dead."""
    settings.REDIS_URL = own_redis.url
    client = redis.Redis.from_url(own_redis.url)
    client.sadd(f"{settings.CHANNEL_PREFIX}.processes", "listed")
    actions.join(room.seats["candidate"], "c.listed.1")
    own_redis.process.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    for n in range(5):
        actions.join(room.seats["interviewer"], f"c.other.{n}")
    assert time.monotonic() - started < 2
    assert online(room.room)["candidate"] is True
