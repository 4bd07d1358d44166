"""Real daphne processes sharing Redis and PostgreSQL, as a deployment runs them."""

import asyncio
import json
from typing import Any

import pytest
from pycrdt import Text
from websockets.asyncio.client import ClientConnection, connect

from rooms.models import RoomEvent
from tests.editor.yclient import YClient
from tests.rooms.conftest import db_async

pytestmark = pytest.mark.django_db(transaction=True)


class Peer:
    """A websockets client of one server's control channel."""

    def __init__(self, ws: ClientConnection, state: dict[str, Any]) -> None:
        self.ws = ws
        self.state = state

    @classmethod
    async def open(cls, server, room_id: str, token: str) -> "Peer":
        ws = await connect(
            f"{server.ws_url}/ws/rooms/{room_id}/?token={token}", origin=server.http_url
        )
        state = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert state["type"] == "room.state"
        return cls(ws, state)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def receive_type(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame["type"] == kind:
                    return frame


async def test_interviewer_and_candidate_on_different_processes_share_the_room(
    room, bank, daphne_servers
):
    one, two = daphne_servers(), daphne_servers()
    interviewer = await Peer.open(one, room.room.id, room.tokens["interviewer"])
    candidate = await Peer.open(two, room.room.id, room.tokens["candidate"])
    assert (await interviewer.receive_type("presence"))["seat"] in {
        room.seats["interviewer"].id,
        room.seats["candidate"].id,
    }
    # The candidate's editor (a y-websocket client) is on the other process too.
    editor = await YClient(
        f"{two.ws_url}/ws/doc/{room.room.id}?token={room.tokens['candidate']}", two.http_url
    ).connect()
    await interviewer.send({"type": "question.show", "question": bank[1].id})
    shown = await candidate.receive_type("question.shown")
    assert shown["question"]["title"] == "Fizz Buzz" and "solution" not in shown["question"]
    text = editor.doc.get(shown["question"]["text"], type=Text)
    async with asyncio.timeout(10):
        while str(text) != bank[1].starter_code:
            await asyncio.sleep(0.05)
    await editor.disconnect()
    await interviewer.send({"type": "timer.start", "duration_s": 1200})
    timer = await candidate.receive_type("timer.state")
    assert (timer["status"], timer["duration_ms"]) == ("running", 1_200_000)
    await candidate.send({"type": "chat.send", "text": "Is the input sorted?"})
    message = await interviewer.receive_type("chat.message")
    assert message["message"]["text"] == "Is the input sorted?"

    # The process that started a timer dies; the other one notices the deadline, once.
    await interviewer.send({"type": "timer.start", "duration_s": 2})
    assert (await candidate.receive_type("timer.state"))["duration_ms"] == 2000
    one.kill()
    expired = await candidate.receive_type("timer.state")
    assert (expired["status"], expired["elapsed_ms"]) == ("expired", 2000)
    await asyncio.sleep(0.5)
    assert await db_async(RoomEvent.objects.filter(type="timer.expired").count)() == 1
    await candidate.ws.close()


async def test_a_killed_process_loses_nothing(room, bank, daphne_servers):
    first = daphne_servers()
    interviewer = await Peer.open(first, room.room.id, room.tokens["interviewer"])
    candidate = await Peer.open(first, room.room.id, room.tokens["candidate"])
    await interviewer.send({"type": "question.show", "question": bank[0].id})
    await candidate.receive_type("question.shown")
    await interviewer.send({"type": "timer.start", "duration_s": 600})
    await candidate.receive_type("timer.state")
    await candidate.send({"type": "chat.send", "text": "Starting with a hash map."})
    await interviewer.receive_type("chat.message")
    await interviewer.send({"type": "notes.save", "text": "Explains the approach first."})
    await interviewer.receive_type("notes.saved")

    first.kill()
    restarted = daphne_servers()
    interviewer = await Peer.open(restarted, room.room.id, room.tokens["interviewer"])
    candidate = await Peer.open(restarted, room.room.id, room.tokens["candidate"])
    for state in (interviewer.state, candidate.state):
        assert state["question"]["id"] == bank[0].id
        assert state["timer"]["status"] == "running"
        assert 0 < state["timer"]["elapsed_ms"] < 600_000
        assert [m["text"] for m in state["chat"]] == ["Starting with a hash map."]
    assert interviewer.state["notes"] == "Explains the approach first."
    assert "notes" not in candidate.state
    await interviewer.ws.close()
    await candidate.ws.close()
