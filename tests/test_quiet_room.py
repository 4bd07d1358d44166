"""A quiet room stays connected: interviewer and candidate sit idle on two server processes
with Redis between them, as in a real interview's thinking pauses. No connection of either
channel drops or reconnects, nobody's view is refreshed for nothing, and a chat sent at any
moment arrives. (Idle Redis connections once broke every ~10 s: a read timeout as long as a
blocking receive.) SOAK_S sets the length; bench/quiet_rooms.py runs the long version."""

import asyncio
import os
import random

import pytest

from tests.control_client import ControlClient
from tests.editor.yclient import YClient

pytestmark = pytest.mark.django_db(transaction=True)
SOAK_S = float(os.environ.get("SOAK_S", "90"))
PING_S = 20  # as the page does


def control_url(server, doc_room, role: str) -> str:
    return f"{server.ws_url}/ws/rooms/{doc_room.room.id}/?token={doc_room.tokens[role]}"


async def test_a_quiet_room_stays_connected_and_chat_arrives_at_any_moment(
    daphne_servers, doc_room
):
    here, there = daphne_servers(), daphne_servers()
    interviewer = await ControlClient(control_url(here, doc_room, "interviewer")).connect()
    candidate = await ControlClient(control_url(there, doc_room, "candidate")).connect()
    editors = [
        await YClient(doc_room.url(here, "interviewer")).connect(),
        await YClient(doc_room.url(there, "candidate")).connect(),
    ]
    rng = random.Random(12)
    chat_at = sorted(rng.uniform(5, SOAK_S - 5) for _ in range(3))
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    next_ping = start + PING_S
    while (now := loop.time()) - start < SOAK_S:
        if chat_at and now - start >= chat_at[0]:
            chat_at.pop(0)
            sender, receiver = (interviewer, candidate) if sent % 2 else (candidate, interviewer)
            text = f"quiet message {sent}"
            await sender.send({"type": "chat.send", "text": text})
            await receiver.next(
                "chat.message", timeout=3, where=lambda f, text=text: f["message"]["text"] == text
            )
            sent += 1
        if now >= next_ping:
            next_ping = now + PING_S
            for client in (interviewer, candidate):
                await client.send({"type": "ping", "t": 1})
        await asyncio.sleep(0.5)
    assert sent == 3
    for client in (interviewer, candidate, *editors):
        assert client.online, "a connection dropped while the room was quiet"
    # Exactly one room.state each: nothing made the server refresh them (no relay flapping).
    assert len(interviewer.of("room.state")) == 1 and len(candidate.of("room.state")) == 1
    for editor in editors:
        assert editor.kinds.count("sync1") == 1  # connected once: no reconnect
    for client in (interviewer, candidate, *editors):
        await client.disconnect()
