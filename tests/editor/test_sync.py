"""Two people type in the same code: what one types appears for the other, and is stored."""

import asyncio
import random

from asgiref.sync import sync_to_async

from editor import documents
from editor.models import DocUpdate
from rooms.models import Seat
from tests.editor.yclient import YClient, eventually


async def test_what_the_candidate_types_appears_for_the_interviewer_and_is_stored(
    daphne_servers, doc_room
):
    server = daphne_servers()
    candidate = await YClient(doc_room.url(server, "candidate")).connect()
    interviewer = await YClient(doc_room.url(server, "interviewer")).connect()
    candidate.text(doc_room.text).insert(0, "print('hello')\n")
    await eventually(lambda: interviewer.code(doc_room.text) == "print('hello')\n")
    stored = await sync_to_async(documents.code_now)(doc_room.room.id, [doc_room.text])
    assert stored == {doc_room.text: "print('hello')\n"}
    authors = await sync_to_async(list)(DocUpdate.objects.values_list("seat_id", flat=True))
    roles = await sync_to_async(list)(Seat.objects.filter(id__in=authors).values_list("role"))
    assert len(authors) == 1 and roles == [("candidate",)]
    await candidate.disconnect()
    await interviewer.disconnect()


async def test_a_late_joiner_receives_the_whole_document(daphne_servers, doc_room):
    server = daphne_servers()
    first = await YClient(doc_room.url(server, "candidate")).connect()
    for i in range(50):
        first.text(doc_room.text).insert(len(first.text(doc_room.text)), f"line {i}\n")
    expected = "".join(f"line {i}\n" for i in range(50))
    await eventually_stored(doc_room, expected)
    late = await YClient(doc_room.url(server, "interviewer")).connect()
    await eventually(lambda: late.code(doc_room.text) == expected)
    await first.disconnect()
    await late.disconnect()


def random_edit(rng: random.Random, text, who: str, i: int) -> None:
    length = len(text)
    if length > 10 and rng.random() < 0.3:
        start = rng.randrange(length)
        del text[start : min(length, start + rng.randint(1, 5))]
    else:
        text.insert(rng.randint(0, length), f"<{who}{i}>")


async def test_two_typists_on_two_processes_converge_with_the_stored_document(
    daphne_servers, doc_room
):
    first, second = daphne_servers(), daphne_servers()
    alice = await YClient(doc_room.url(first, "candidate")).connect()
    bob = await YClient(doc_room.url(second, "interviewer")).connect()
    rng = random.Random(7)

    async def type_(client: YClient, who: str) -> None:
        for i in range(150):
            random_edit(rng, client.text(doc_room.text), who, i)
            await asyncio.sleep(rng.random() * 0.01)

    await asyncio.gather(type_(alice, "a"), type_(bob, "b"))
    await eventually(lambda: alice.code(doc_room.text) == bob.code(doc_room.text), timeout=20)
    final = alice.code(doc_room.text)
    assert len(final) > 100
    await eventually_stored(doc_room, final)
    await alice.disconnect()
    await bob.disconnect()


async def eventually_stored(doc_room, expected: str, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        stored = await sync_to_async(documents.code_now)(doc_room.room.id, [doc_room.text])
        if stored[doc_room.text] == expected:
            return
        if asyncio.get_running_loop().time() > deadline:
            assert stored[doc_room.text] == expected
        await asyncio.sleep(0.1)


async def test_a_room_grown_past_a_megabyte_loads_for_a_late_joiner(daphne_servers, doc_room):
    """Two 600 KB pastes make a document larger than one websocket frame may be (1 MiB):
    a late joiner on either process, and the npm-like reconnecting writer, still sync it."""
    here, there = daphne_servers(), daphne_servers()
    writer = await YClient(doc_room.url(here, "candidate")).connect()
    for chunk in ("a", "b"):
        writer.text(doc_room.text).insert(0, chunk * 600_000)
        await asyncio.sleep(1)

    async def all_stored() -> bool:
        return await stored_length(doc_room) == 1_200_000

    await eventually(all_stored, timeout=30)
    for server in (here, there):
        late = await YClient(doc_room.url(server, "interviewer")).connect(timeout=30)
        assert len(late.code(doc_room.text)) == 1_200_000
        await late.disconnect()
    await writer.drop()
    await writer.reconnect()  # its sync answers the server's state: nothing large goes up
    assert writer.online
    await writer.disconnect()


async def stored_length(doc_room) -> int:
    code = await sync_to_async(documents.code_now)(doc_room.room.id, [doc_room.text])
    return len(code[doc_room.text])
