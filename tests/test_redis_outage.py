"""Redis down for a while: the room degrades and recovers, and nobody notices more than a
delay. No connection closes, no chat is lost (its sender is told others may see it late),
nobody is locked out afterwards, and /healthz says 503 meanwhile."""

import asyncio
import urllib.error
import urllib.request

import pytest

from tests.control_client import ControlClient
from tests.editor.yclient import YClient, eventually

pytestmark = pytest.mark.django_db(transaction=True)
OUTAGE_S = 6


def control_url(server, doc_room, role: str) -> str:
    return f"{server.ws_url}/ws/rooms/{doc_room.room.id}/?token={doc_room.tokens[role]}"


def health(server) -> int:
    try:
        with urllib.request.urlopen(f"{server.http_url}/healthz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def chats(client: ControlClient) -> list[str]:
    """Every chat text the client was shown, live or in a fresh room.state."""
    texts = [frame["message"]["text"] for frame in client.of("chat.message")]
    for state in client.of("room.state"):
        texts += [message["text"] for message in state["chat"]]
    return texts


async def test_a_redis_outage_closes_nobody_and_loses_no_message(
    daphne_servers, doc_room, own_redis
):
    env = {"REDIS_URL": own_redis.url, "DOC_RESYNC_S": "2"}
    here, there = daphne_servers(env=env), daphne_servers(env=env)
    interviewer = await ControlClient(control_url(here, doc_room, "interviewer")).connect()
    candidate = await ControlClient(control_url(there, doc_room, "candidate")).connect()
    watcher = await YClient(doc_room.url(here, "interviewer")).connect()
    typist = await YClient(doc_room.url(there, "candidate")).connect()

    own_redis.kill()
    await asyncio.sleep(0.5)
    assert health(here) == 503 and health(there) == 503
    await candidate.send({"type": "chat.send", "text": "Sent while Redis was down"})
    mine = await candidate.next("chat.message")  # the sender sees it at once...
    assert mine["message"]["text"] == "Sent while Redis was down"
    notice = await candidate.next("error", code="unavailable")  # ...and that it may be late
    assert "late" in notice["message"]
    typist.text(doc_room.text).insert(0, "typed during the outage")
    await asyncio.sleep(OUTAGE_S)
    for client in (interviewer, candidate, watcher, typist):
        assert client.online

    own_redis.start()
    await eventually(lambda: "Sent while Redis was down" in chats(interviewer), timeout=15)
    await eventually(lambda: watcher.code(doc_room.text) == "typed during the outage")
    await eventually(lambda: health(here) == 200 and health(there) == 200)
    # Afterwards the room works as before, and nobody is locked out (no 4429).
    await interviewer.send({"type": "chat.send", "text": "And after"})
    after = await candidate.next("chat.message", timeout=5)  # live again, not by a refresh
    assert after["message"]["text"] == "And after"
    again = [await ControlClient(control_url(there, doc_room, "candidate")).connect()]
    again.append(await ControlClient(control_url(here, doc_room, "candidate")).connect())
    for client in (interviewer, candidate, watcher, typist, *again):
        assert client.online
        await client.disconnect()
