"""Bad input on the control channel: a clear error, nothing changed, nobody else disturbed."""

import asyncio
import time

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from rooms import actions
from rooms.actions.presence import MAX_CONNECTIONS_PER_SEAT
from rooms.consumers import MAX_FRAME_BYTES
from rooms.models import ChatMessage, Connection, Note, Room, RoomEvent, Score
from tests.factories import revoked
from tests.rooms.conftest import ORIGIN, Client, db_async

pytestmark = pytest.mark.django_db(transaction=True)


@db_async
def stored(room_id):
    """Everything a bad frame must not change."""
    room = Room.objects.get(id=room_id)
    return {
        "room": (room.status, room.current_item_id, room.timer_status, room.timer_duration_ms),
        "plan": list(room.plan.values_list("question_id", "position")),
        "events": RoomEvent.objects.filter(room=room).count(),
        "chat": ChatMessage.objects.filter(room=room).count(),
        "notes": list(Note.objects.filter(room=room).values_list("text", flat=True)),
        "scores": Score.objects.filter(room=room).count(),
    }


async def assert_undisturbed(other: Client) -> None:
    """The other participant got no frame and still gets answers."""
    assert await other.drain() == []
    await other.send({"type": "ping", "t": 1})
    assert (await other.receive())["type"] == "pong"


@pytest.fixture
async def pair(room, clients):
    """An interviewer and a candidate, connected, with their join frames already read."""
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await interviewer.drain()
    await candidate.drain()
    return interviewer, candidate


BAD_FRAMES = [
    ("{not json", "invalid"),
    ("[1, 2, 3]", "invalid"),
    ('"chat.send"', "invalid"),
    ('{"text": "no type"}', "invalid"),
    ('{"type": 42}', "invalid"),
    ("[" * 100_000 + "]" * 100_000, "invalid"),  # nesting deeper than the parser goes
    ('{"type": "room.explode"}', "invalid"),
    ('{"type": "chat.send"}', "invalid"),
    ('{"type": "chat.send", "text": 42}', "invalid"),
    ('{"type": "chat.send", "text": "   "}', "invalid"),
    ('{"type": "presence", "focus": "yes"}', "invalid"),
    ('{"type": "signal", "kind": "paste", "chars": "many"}', "invalid"),
    ('{"type": "signal", "kind": "telepathy"}', "invalid"),
    ('{"type": "ping", "t": "now"}', "invalid"),
    ('{"type": "name.set", "name": ""}', "invalid"),
    ('{"type": "ping", "t": 1e999}', "invalid"),  # Infinity is no JSON to answer with
    # Text PostgreSQL cannot store (NUL) or nothing can encode (a lone surrogate).
    ('{"type": "chat.send", "text": "a\\u0000b"}', "invalid"),
    ('{"type": "chat.send", "text": "\\ud800"}', "invalid"),
    ('{"type": "name.set", "name": "Ada\\u0000"}', "invalid"),
    ('{"type": "name.set", "name": "\\udfff"}', "invalid"),
]


async def test_malformed_frames_from_a_candidate(room, pair):
    interviewer, candidate = pair
    before = await stored(room.room.id)
    for raw, code in BAD_FRAMES:
        await candidate.send(raw)
        error = await candidate.receive()
        assert (error["type"], error["code"]) == ("error", code), raw
        assert error["message"], raw
        assert await stored(room.room.id) == before, raw
    await assert_undisturbed(interviewer)
    await assert_undisturbed(candidate)


INTERVIEWER_BAD_FRAMES = [
    ({"type": "question.show"}, "invalid"),
    ({"type": "question.show", "question": 999999}, "not_found"),
    ({"type": "question.show", "question": [1]}, "invalid"),
    ({"type": "timer.start"}, "invalid"),
    ({"type": "timer.start", "duration_s": "600"}, "invalid"),
    ({"type": "timer.start", "duration_s": -1}, "invalid"),
    ({"type": "timer.start", "duration_s": True}, "invalid"),  # JSON true is no number
    ({"type": "timer.pause"}, "invalid"),
    ({"type": "timer.add", "seconds": 1.5}, "invalid"),
    ({"type": "notes.save", "text": None}, "invalid"),
    ({"type": "notes.save", "text": "x\x00y"}, "invalid"),
    ({"type": "notes.save", "text": "\ud83d"}, "invalid"),
    ({"type": "score.save", "rating": None, "comment": "\ud83d"}, "invalid"),
    ({"type": "question.show", "question": "two-sum\x00"}, "invalid"),
    ({"type": "question.show", "question": "\udc00"}, "invalid"),
    ({"type": "score.save", "rating": 3}, "invalid"),
    ({"type": "score.save", "question": 999999, "rating": 3}, "not_found"),
    ({"type": "score.save", "recommendation": "maybe"}, "invalid"),
    ({"type": "roles.swap"}, "forbidden"),  # not a pair room
]


async def test_wrong_fields_from_an_interviewer(room, pair):
    interviewer, candidate = pair
    before = await stored(room.room.id)
    for frame, code in INTERVIEWER_BAD_FRAMES:
        await interviewer.send(frame)
        error = await interviewer.receive()
        assert (error["type"], error["code"]) == ("error", code), frame
        assert await stored(room.room.id) == before, frame
    await assert_undisturbed(candidate)
    await assert_undisturbed(interviewer)


INTERVIEWER_ACTIONS = [
    {"type": "question.show", "question": "two-sum"},
    {"type": "timer.start", "duration_s": 60},
    {"type": "timer.reset"},
    {"type": "timer.add", "seconds": 60},
    {"type": "notes.save", "text": "mine now"},
    {"type": "score.save", "recommendation": "strong_yes"},
    {"type": "room.end"},
]


@pytest.mark.parametrize("role", ["candidate", "observer"])
async def test_candidate_and_observer_cannot_take_interviewer_actions(room, pair, clients, role):
    interviewer, candidate = pair
    actor = candidate if role == "candidate" else await clients(room.room.id, room.tokens[role])
    await interviewer.drain()
    before = await stored(room.room.id)
    for frame in INTERVIEWER_ACTIONS:
        await actor.send(frame)
        error = await actor.receive_type("error")
        assert error["code"] == "forbidden", frame
        assert await stored(room.room.id) == before, frame
    await assert_undisturbed(interviewer)
    await assert_undisturbed(actor)


async def test_oversized_frame_is_refused(room, pair):
    interviewer, candidate = pair
    before = await stored(room.room.id)
    await candidate.send({"type": "chat.send", "text": "x" * (MAX_FRAME_BYTES + 1)})
    assert (await candidate.receive())["code"] == "too_large"
    # Multi-byte characters count as the bytes they take.
    await candidate.send({"type": "chat.send", "text": "é" * (MAX_FRAME_BYTES // 2)})
    assert (await candidate.receive())["code"] == "too_large"
    assert await stored(room.room.id) == before
    await assert_undisturbed(interviewer)
    await assert_undisturbed(candidate)


async def test_long_chat_message_is_refused(room, pair):
    interviewer, candidate = pair
    await candidate.send({"type": "chat.send", "text": "y" * (actions.CHAT_MAX_CHARS + 1)})
    assert (await candidate.receive())["code"] == "invalid"
    assert (await stored(room.room.id))["chat"] == 0
    await assert_undisturbed(interviewer)


async def test_binary_frame_is_refused(room, pair):
    interviewer, candidate = pair
    before = await stored(room.room.id)
    await candidate.ws.send_to(bytes_data=b"\x00\x01")
    assert (await candidate.receive())["code"] == "invalid"
    assert await stored(room.room.id) == before
    await assert_undisturbed(interviewer)


async def test_chat_flood_is_rate_limited(room, pair):
    interviewer, candidate = pair
    started = time.monotonic()
    for i in range(30):
        await candidate.send({"type": "chat.send", "text": f"spam {i}"})
    frames = [await candidate.receive() for _ in range(30)]
    # A burst of 5, then 1 a second (a slow machine may have refilled a few).
    allowed = 5 + int(time.monotonic() - started)
    limited = [f for f in frames if f["type"] == "error" and f["code"] == "rate_limited"]
    delivered = [f for f in frames if f["type"] == "chat.message"]
    assert 5 <= len(delivered) <= allowed and len(limited) == 30 - len(delivered)
    assert (await stored(room.room.id))["chat"] == len(delivered)
    received = [f for f in await interviewer.drain() if f["type"] == "chat.message"]
    assert len(received) == len(delivered)
    await assert_undisturbed(interviewer)


async def test_frame_flood_is_rate_limited(room, pair):
    interviewer, candidate = pair
    started = time.monotonic()
    for _ in range(200):
        await candidate.send({"type": "ping", "t": 0})
    frames = [await candidate.receive() for _ in range(200)]
    allowed = 60 + 20 * (time.monotonic() - started)
    pongs = sum(f["type"] == "pong" for f in frames)
    assert 60 <= pongs <= allowed
    assert sum(f.get("code") == "rate_limited" for f in frames) == 200 - pongs
    await assert_undisturbed(interviewer)


async def connect_raw(path: str, origin: str = ORIGIN) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(
        application, path, headers=[(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    )
    return ws


async def close_code_of(path: str, origin: str = ORIGIN) -> int | None:
    ws = await connect_raw(path, origin)
    connected, code = await ws.connect()
    if not connected:
        return code
    message = await ws.receive_output(3)
    assert message["type"] == "websocket.close", "no room.state before refusal"
    await ws.disconnect()
    return message.get("code")


async def test_connect_without_a_valid_seat_is_closed_4403(room, bank, alice):
    other = await db_async(actions.create_room)(alice, "other room", "screen")
    assert await close_code_of(f"/ws/rooms/{room.room.id}/") == 4403
    assert await close_code_of(f"/ws/rooms/{room.room.id}/?token=garbage") == 4403
    # A real token, but for another room.
    assert (
        await close_code_of(f"/ws/rooms/{room.room.id}/?token={other.tokens['candidate']}") == 4403
    )
    assert await db_async(Connection.objects.count)() == 0


async def test_unknown_room_is_closed_4404(room):
    assert await close_code_of(f"/ws/rooms/nope/?token={room.tokens['candidate']}") == 4404


async def test_foreign_origin_is_refused_at_the_handshake(room, pair):
    interviewer, candidate = pair
    before = await stored(room.room.id)
    ws = await connect_raw(
        f"/ws/rooms/{room.room.id}/?token={room.tokens['interviewer']}", "https://evil.example"
    )
    connected, _ = await ws.connect()
    assert connected is False  # never accepted: a hijacking page gets no room.state
    assert await stored(room.room.id) == before
    assert await db_async(Connection.objects.count)() == 2
    await assert_undisturbed(interviewer)


async def test_revoked_seat_cannot_connect_or_act(room, pair):
    interviewer, candidate = pair
    await db_async(revoked)(room.seats["candidate"])
    before = await stored(room.room.id)
    await candidate.send({"type": "chat.send", "text": "still here?"})
    assert (await candidate.receive())["code"] == "forbidden"
    assert await stored(room.room.id) == before
    path = f"/ws/rooms/{room.room.id}/?token={room.tokens['candidate']}"
    assert await close_code_of(path) == 4403
    await assert_undisturbed(interviewer)


async def test_ended_room_closes_candidates_and_refuses_their_links(room, pair, clients):
    interviewer, candidate = pair
    observer = await clients(room.room.id, room.tokens["observer"])
    await interviewer.send({"type": "room.end"})
    assert (await candidate.receive_type("room.ended"))["room"]["status"] == "ended"
    assert await candidate.close_code() == 4410
    assert (await observer.receive_type("room.ended"))["type"] == "room.ended"
    assert await observer.close_code() == 4410
    state = await interviewer.receive_type("room.state")
    assert state["room"]["status"] == "ended"
    for role in ("candidate", "observer"):
        path = f"/ws/rooms/{room.room.id}/?token={room.tokens[role]}"
        assert await close_code_of(path) == 4410
    # Interviewers may still write up notes, but the room itself is closed.
    await interviewer.send({"type": "notes.save", "text": "write-up"})
    assert (await interviewer.receive_type("notes.saved"))["note"]["text"] == "write-up"
    await interviewer.send({"type": "chat.send", "text": "hello?"})
    assert (await interviewer.receive_type("error"))["code"] == "forbidden"


async def test_reconnect_storm_leaves_state_and_others_intact(room, pair):
    interviewer, candidate = pair
    await interviewer.send({"type": "timer.start", "duration_s": 600})
    await interviewer.send({"type": "chat.send", "text": "before the storm"})
    await interviewer.drain()
    await candidate.drain()
    before = await stored(room.room.id)
    path = f"/ws/rooms/{room.room.id}/?token={room.tokens['candidate']}"

    async def connect_and_drop():
        client = Client(room.room.id, room.tokens["candidate"])
        await client.open()
        assert client.state["timer"]["status"] == "running"
        assert [m["text"] for m in client.state["chat"]] == ["before the storm"]
        await client.close()

    for _ in range(3):
        await asyncio.gather(*(connect_and_drop() for _ in range(6)))
    # Too many at once for one seat: the surplus is refused with a clear code.
    many = [Client(room.room.id, room.tokens["candidate"]) for _ in range(MAX_CONNECTIONS_PER_SEAT)]
    for client in many[:-1]:
        await client.open()
    assert await close_code_of(path) == 4429
    for client in many[:-1]:
        await client.close()
    after = await stored(room.room.id)
    # The storm changed nothing but the count of events (the first candidate stayed online,
    # so no join or leave was recorded either).
    assert after == before
    assert await db_async(Connection.objects.filter(seat__role="candidate").count)() == 1
    # Both heard only of the candidate's tabs coming and going, ending where they began.
    for other in (interviewer, candidate):
        frames = await other.drain()
        assert frames and all(f["type"] == "presence" for f in frames)
        assert (frames[-1]["online"], frames[-1]["tabs"]) == (True, 1)
        await other.send({"type": "ping", "t": 1})
        assert (await other.receive())["type"] == "pong"
