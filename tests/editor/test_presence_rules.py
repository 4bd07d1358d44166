"""Awareness (who is in the editor, their name, colour and cursor) cannot be poisoned: a
connection speaks only for its own client, with a plain name, a hex colour and an id every
JavaScript client can hold, at a bounded rate; nothing bad stays in a room for newcomers."""

import asyncio
import json

from editor import limits
from editor.protocol import AwarenessEntry, encode_awareness
from tests.editor.yclient import YClient, eventually


def state(name: str, color: str = "#30bced", **more) -> str:
    return json.dumps({"user": {"name": name, "color": color, "colorLight": "#30bced33"}, **more})


def entries(*items: tuple[int, int, str]) -> bytes:
    return encode_awareness([AwarenessEntry(*item) for item in items])


async def closed_with(client: YClient) -> int:
    code, _ = await asyncio.wait_for(asyncio.shield(client.closed), 5)
    return code


async def test_a_connection_speaks_only_for_its_own_client(daphne_servers, doc_room):
    here, there = daphne_servers(), daphne_servers()
    mallory = await YClient(doc_room.url(here, "candidate")).connect()
    bob = await YClient(doc_room.url(there, "interviewer")).connect()
    await bob.send_awareness(entries((222, 1, state("Bob"))))
    await eventually(lambda: 222 in mallory.awareness_states)
    # Mallory's client is 111; she also "echoes" Bob's entry with her own words in it.
    await mallory.send_awareness(entries((111, 1, state("Mallory")), (222, 9, state("Bob is out"))))
    await eventually(lambda: 111 in bob.awareness_states)
    await asyncio.sleep(0.5)
    assert json.loads(bob.awareness_states[222])["user"]["name"] == "Bob"
    late = await YClient(doc_room.url(there, "observer")).connect()
    await eventually(lambda: {111, 222} <= set(late.awareness_states))
    assert "Bob is out" not in str(late.awareness_states)
    for client in (mallory, bob, late):
        await client.disconnect()


async def test_a_client_id_javascript_cannot_hold_is_refused_and_never_kept(
    daphne_servers, doc_room
):
    here, there = daphne_servers(), daphne_servers()
    watcher = await YClient(doc_room.url(there, "interviewer")).connect()
    poisoner = await YClient(doc_room.url(here, "candidate")).connect()
    await poisoner.send_awareness(entries((2**53, 1, state("Poison"))))
    assert await closed_with(poisoner) == limits.CLOSE_MALFORMED
    await asyncio.sleep(0.3)
    assert watcher.awareness_states == {}
    # A newcomer on either process gets a clean room (and the npm client would sync).
    for server in (here, there):
        late = await YClient(doc_room.url(server, "candidate")).connect()
        await asyncio.sleep(0.3)
        assert all(client_id < 2**53 for client_id in late.awareness_states)
        await late.disconnect()
    await watcher.disconnect()


async def test_a_colour_is_a_colour_and_a_name_is_plain_text(daphne_servers, doc_room):
    server = daphne_servers()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    for bad in (
        state("Eve", color="red; background: url(http://evil.example/x)"),
        state("Eve\nSecond line"),
        state("E" * 200),
        json.dumps({"user": "Eve"}),
        json.dumps({"padding": "x" * 10_000, "user": {"name": "Eve"}}),
        json.dumps(["not", "an", "object"]),
    ):
        eve = await YClient(doc_room.url(server, "candidate")).connect()
        await eve.send_awareness(entries((333, 1, bad)))
        assert await closed_with(eve) == limits.CLOSE_MALFORMED, bad
    await asyncio.sleep(0.3)
    assert 333 not in watcher.awareness_states
    await watcher.disconnect()


async def test_a_flood_of_cursor_moves_is_slowed_and_the_last_one_arrives(daphne_servers, doc_room):
    server = daphne_servers()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    for clock in range(1, 501):
        await typist.send_awareness(entries((444, clock, state("Tess", cursor={"at": clock}))))
    await eventually(
        lambda: json.loads(watcher.awareness_states.get(444, "{}")).get("cursor") == {"at": 500}
    )
    received = len(watcher.awareness)
    assert received < limits.AWARENESS_BURST + 50  # not 500: the latest waits for its turn
    await watcher.disconnect()
    await typist.disconnect()


async def test_a_reconnecting_browser_keeps_its_cursor(daphne_servers, doc_room):
    server = daphne_servers()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    ada = await YClient(doc_room.url(server, "candidate")).connect()
    await ada.send_awareness(entries((555, 1, state("Ada"))))
    await eventually(lambda: 555 in watcher.awareness_states)
    await ada.drop()  # the network goes; the server may not have noticed yet
    await ada.reconnect()
    await ada.send_awareness(entries((555, 2, state("Ada", cursor={"at": 7}))))
    await eventually(
        lambda: json.loads(watcher.awareness_states.get(555, "{}")).get("cursor") == {"at": 7}
    )
    await watcher.disconnect()
    await ada.disconnect()
