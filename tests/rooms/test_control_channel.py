"""The control channel as participants use it: state on connect, actions, broadcasts."""

import pytest

from rooms.models import ChatMessage, Connection, RoomEvent
from tests.rooms.conftest import ORIGIN, SECRET, db_async

pytestmark = pytest.mark.django_db(transaction=True)


async def test_room_state_comes_first_and_fits_the_role(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    assert interviewer.state["you"]["role"] == "interviewer"
    assert interviewer.state["room"] == {
        "id": room.room.id,
        "title": "Backend screen",
        "status": "live",
        "kind": "interview",
    }
    assert len(interviewer.state["plan"]) == 2 and interviewer.state["notes"] == ""
    assert candidate.state["you"] == {
        "seat": room.seats["candidate"].id,
        "role": "candidate",
        "name": "",
    }
    assert not {"plan", "notes", "scores"} & set(candidate.state)
    for key in ("participants", "question", "timer", "chat", "server_time"):
        assert key in candidate.state
    online = {p["role"]: p["online"] for p in candidate.state["participants"]}
    assert online == {"interviewer": True, "candidate": True}  # observers are silent
    online = {p["role"]: p["online"] for p in interviewer.state["participants"]}
    assert online == {"interviewer": True, "candidate": False, "observer": False}
    # The interviewer hears the candidate arrive.
    await interviewer.receive_presence("candidate", online=True)


async def test_interviewer_shows_a_question_and_each_role_gets_its_view(room, bank, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    observer = await clients(room.room.id, room.tokens["observer"])
    await interviewer.send({"type": "question.show", "question": bank[0].id})
    mine = await interviewer.receive_type("question.shown")
    assert mine["question"]["guidance"] == f"{SECRET} guidance"
    plan = await interviewer.receive_type("plan")
    assert plan["plan"][0]["current"] is True
    for viewer in (candidate, observer):
        frames = await viewer.drain()
        shown = [f for f in frames if f["type"] == "question.shown"]
        assert shown[0]["question"]["title"] == "Two Sum"
        assert shown[0]["question"]["text"] == f"q-{bank[0].id}"
        assert SECRET not in str(frames)
    # A participant who joins later finds the question in room.state.
    late = await clients(room.room.id, room.tokens["observer"])
    assert late.state["question"]["id"] == bank[0].id and SECRET not in str(late.state)


async def test_chat_reaches_everyone_and_is_kept(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await candidate.send({"type": "chat.send", "text": "Hello!"})
    for client in (interviewer, candidate):
        message = (await client.receive_type("chat.message"))["message"]
        assert (message["text"], message["role"]) == ("Hello!", "candidate")
    assert await db_async(lambda: list(ChatMessage.objects.values_list("text", flat=True)))() == [
        "Hello!"
    ]
    again = await clients(room.room.id, room.tokens["observer"])
    assert [m["text"] for m in again.state["chat"]] == ["Hello!"]


async def test_timer_is_the_same_for_everyone(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await interviewer.send({"type": "timer.start", "duration_s": 1800})
    for client in (interviewer, candidate):
        timer = await client.receive_type("timer.state")
        assert (timer["status"], timer["duration_ms"]) == ("running", 1_800_000)
        assert "server_time" in timer
    await interviewer.send({"type": "timer.pause"})
    assert (await candidate.receive_type("timer.state"))["status"] == "paused"


async def test_timer_expiry_is_broadcast_once(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await interviewer.send({"type": "timer.start", "duration_s": 1})
    assert (await candidate.receive_type("timer.state"))["status"] == "running"
    expired = await candidate.receive_type("timer.state", timeout=5)
    assert (expired["status"], expired["elapsed_ms"]) == ("expired", 1000)
    await candidate.drain(0.5)
    count = await db_async(RoomEvent.objects.filter(type="timer.expired").count)()
    assert count == 1


async def test_notes_and_scores_reach_interviewers_only(room, bank, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    observer = await clients(room.room.id, room.tokens["observer"])
    await interviewer.send({"type": "notes.save", "text": "PRIVATE-NOTE"})
    assert (await interviewer.receive_type("notes.saved"))["note"]["text"] == "PRIVATE-NOTE"
    await interviewer.send(
        {"type": "score.save", "question": bank[0].id, "rating": 4, "comment": "PRIVATE-SCORE"}
    )
    assert (await interviewer.receive_type("score.saved"))["score"]["rating"] == 4
    for viewer in (candidate, observer):
        assert "PRIVATE" not in str(await viewer.drain())


async def test_ping_answers_with_server_time_and_keeps_presence_fresh(room, clients):
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await candidate.send({"type": "ping", "t": 1234.5})
    pong = await candidate.receive_type("pong")
    assert pong["t"] == 1234.5 and isinstance(pong["server_time"], int)
    assert await db_async(Connection.objects.filter(seat__role="candidate").count)() == 1


async def test_a_connection_forgotten_while_its_process_lives_joins_again(
    room, clients, monkeypatch
):
    """Another process judged this one dead for a moment (its Redis link blinked) and forgot
    its connection: the next ping brings the person back online."""
    monkeypatch.setattr("rooms.consumers.TOUCH_EVERY_S", 0)  # each ping touches
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await interviewer.receive_presence("candidate", online=True)
    await db_async(Connection.objects.filter(seat__role="candidate").delete)()
    await candidate.send({"type": "ping", "t": 1})
    await interviewer.receive_presence("candidate", online=True)
    assert await db_async(Connection.objects.filter(seat__role="candidate").count)() == 1


async def test_focus_and_paste_signals(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await candidate.send({"type": "presence", "focus": False})
    await interviewer.receive_presence("candidate", focused=False)
    await candidate.send({"type": "signal", "kind": "paste", "chars": 250})
    signal = await interviewer.receive_type("signal")
    assert (signal["kind"], signal["chars"]) == ("paste", 250)
    assert "signal" not in [f["type"] for f in await candidate.drain()]
    types = await db_async(lambda: list(RoomEvent.objects.values_list("type", flat=True)))()
    assert "focus" in types and "paste" in types


async def test_leaving_is_seen_by_the_others(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await interviewer.drain()
    await candidate.close()
    await interviewer.receive_presence("candidate", online=False)
    assert await db_async(RoomEvent.objects.filter(type="leave").count)() == 1


async def test_interviewer_revokes_a_seat_and_its_connection_closes(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await candidate.send({"type": "seat.revoke", "seat": room.seats["interviewer"].id})
    assert (await candidate.receive_type("error"))["code"] == "forbidden"
    observer = await clients(room.room.id, room.tokens["observer"])
    await interviewer.send({"type": "seat.revoke", "seat": room.seats["observer"].id})
    assert await observer.close_code() == 4403
    state = await interviewer.receive_type("room.state")
    assert "observer" not in [p["role"] for p in state["participants"]]
    assert await db_async(RoomEvent.objects.filter(type="seat.revoked").count)() == 1


async def test_a_browser_that_opened_its_link_connects_without_the_token(room, clients):
    from channels.testing import WebsocketCommunicator
    from django.test import Client as HttpClient

    from config.asgi import application

    browser = HttpClient()
    link = f"/r/{room.room.id}/join/{room.tokens['observer']}"
    assert (await db_async(browser.get)(link)).status_code == 302
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    ws = WebsocketCommunicator(
        application,
        f"/ws/rooms/{room.room.id}/",
        headers=[(b"origin", ORIGIN.encode()), (b"host", b"127.0.0.1"), (b"cookie", cookie)],
    )
    connected, _ = await ws.connect()
    assert connected
    state = await ws.receive_json_from(timeout=3)
    assert state["type"] == "room.state" and state["you"]["role"] == "observer"
    await ws.disconnect()
