"""Hostile frames on the control channel of a real server process: every one gets an answer
and the connection stays; none leaves a connection row behind or locks the seat out; a seat
opens a bounded number of connections however many handshakes race."""

import asyncio
import json
import urllib.request

import pytest
import websockets
from asgiref.sync import sync_to_async

from rooms.actions.presence import MAX_CONNECTIONS_PER_SEAT
from rooms.models import Connection, RoomEvent
from tests.control_client import ControlClient, site_origin

pytestmark = pytest.mark.django_db(transaction=True)

# Text PostgreSQL cannot store (NUL) or nothing can encode (a lone surrogate), in each field.
CRASHING_TEXT = [
    '{"type": "chat.send", "text": "a\\u0000b"}',
    '{"type": "chat.send", "text": "\\ud800"}',
    '{"type": "name.set", "name": "Ada\\u0000"}',
    '{"type": "name.set", "name": "\\udfff x"}',
    '{"type": "notes.save", "text": "\\u0000"}',
    '{"type": "notes.save", "text": "\\ud83d"}',
    '{"type": "score.save", "comment": "\\u0000"}',
    '{"type": "score.save", "comment": "\\udbff"}',
    '{"type": "question.show", "question": "two-sum\\u0000"}',
    '{"type": "question.show", "question": "\\ud800"}',
    '{"type": "question.step", "question": "kv\\u0000", "step": 2}',
    '{"type": "question.step", "question": "\\udfff", "step": 2}',
    '{"type": "ping", "t": 1e999}',
    '{"type": "ping", "t": -1e999}',
]


def control_url(server, doc_room, role: str) -> str:
    return f"{server.ws_url}/ws/rooms/{doc_room.room.id}/?token={doc_room.tokens[role]}"


@pytest.fixture
def server(daphne_servers):
    return daphne_servers()


async def test_text_that_cannot_be_stored_is_answered_invalid_and_changes_nothing(server, doc_room):
    interviewer = await ControlClient(control_url(server, doc_room, "interviewer")).connect()
    events = await sync_to_async(RoomEvent.objects.count)()
    for raw in CRASHING_TEXT:
        await interviewer.send(raw)
        error = await interviewer.next("error", timeout=5)
        assert error["code"] == "invalid", raw
    assert interviewer.online
    await interviewer.send({"type": "ping", "t": 7})
    assert (await interviewer.next("pong"))["t"] == 7
    assert await sync_to_async(RoomEvent.objects.count)() == events
    await interviewer.disconnect()
    # Nothing was left behind: the seat can open connections up to its limit again.
    await asyncio.sleep(0.3)
    assert await sync_to_async(Connection.objects.count)() == 0


async def test_a_frame_over_the_limit_is_answered_too_large(server, doc_room):
    candidate = await ControlClient(control_url(server, doc_room, "candidate")).connect()
    await candidate.send(json.dumps({"type": "chat.send", "text": "x" * 300_000}))
    assert (await candidate.next("error"))["code"] == "too_large"
    await candidate.send(json.dumps({"type": "chat.send", "text": "x" * (2 * 1024 * 1024)}))
    assert (await candidate.next("error", timeout=10))["code"] == "too_large"
    assert candidate.online
    await candidate.disconnect()


async def test_racing_handshakes_of_one_seat_open_at_most_its_limit(server, doc_room):
    async def handshake() -> tuple[int, websockets.ClientConnection]:
        url = control_url(server, doc_room, "observer")
        ws = await websockets.connect(url, additional_headers={"Origin": site_origin(url)})
        try:
            first = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return (0 if first["type"] == "room.state" else -1), ws
        except websockets.ConnectionClosed:
            return ws.protocol.close_rcvd.code, ws

    results = await asyncio.gather(*(handshake() for _ in range(40)))
    codes = [code for code, _ in results]
    assert codes.count(0) == MAX_CONNECTIONS_PER_SEAT
    assert codes.count(4429) == 40 - MAX_CONNECTIONS_PER_SEAT
    for _, ws in results:
        await ws.close()
    await asyncio.sleep(0.5)
    # All closed: the seat is not locked out.
    again = await ControlClient(control_url(server, doc_room, "observer")).connect()
    assert again.online
    await again.disconnect()


async def test_the_server_stays_healthy_after_all_that(server, doc_room):
    client = await ControlClient(control_url(server, doc_room, "candidate")).connect()
    for raw in CRASHING_TEXT * 3:
        await client.send(raw)
    await asyncio.sleep(1)
    assert client.online
    with urllib.request.urlopen(f"{server.http_url}/healthz", timeout=5) as response:
        assert response.status == 200
    await client.disconnect()
