"""A process's copy of a room takes updates in log order, however its relays arrive."""

import asyncio
import random

from asgiref.sync import sync_to_async
from pycrdt import Doc, Text

from editor import documents
from editor.hub import UNAPPLIED_KEPT, RoomDoc
from editor.store import Batch, PendingUpdate, docstore
from editor.yupdate import read_state_vector
from tests.editor.typists import MARKER


def two_people_typing(name: str, rounds: int, rng: random.Random) -> list[bytes]:
    """Updates of two people typing markers concurrently and syncing now and then, in the
    order a server would store them."""
    docs = [Doc(), Doc()]
    log: list[bytes] = []
    for i in range(rounds):
        for who, doc in enumerate(docs):
            text = doc.get(name, type=Text)
            before = doc.get_state()
            bounds = [0] + [m.end() for m in MARKER.finditer(str(text))]
            text.insert(rng.choice(bounds), f"<{'ab'[who]}{i}>")
            log.append(doc.get_update(before))
        if rng.random() < 0.3:
            docs[0].apply_update(docs[1].get_update(docs[0].get_state()))
            docs[1].apply_update(docs[0].get_update(docs[1].get_state()))
    return log


async def test_relays_lost_or_crossing_still_give_the_stored_document(doc_room, server_loop):
    rng = random.Random(11)
    updates = two_people_typing(doc_room.text, 60, rng)
    room_id = doc_room.room.id
    loaded = await docstore().load(room_id)
    room = RoomDoc(room_id, loaded)
    stored = []
    for update in updates:  # one batch each, as typing spreads over many batches
        stored += await docstore().append(Batch([PendingUpdate(room_id, None, update)]))

    # Relays: a tenth lost, and neighbours often crossing on their way.
    relays = [(s, u) for s, u in zip(stored, updates, strict=True) if rng.random() > 0.1]
    for i in range(len(relays) - 1):
        if rng.random() < 0.3:
            relays[i], relays[i + 1] = relays[i + 1], relays[i]
    for s, update in relays:
        await room.receive(update, s.id, s.prev_id)

    deadline = asyncio.get_running_loop().time() + 5
    while room.last_id != stored[-1].id and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)  # a lost relay is fetched from the log after a short wait
    expected = (await sync_to_async(documents.code_now)(room_id, [doc_room.text]))[doc_room.text]
    assert len(MARKER.findall(expected)) == 120
    assert str(room.doc.get(doc_room.text, type=Text)) == expected
    # Each connection forwards the same updates, in log order.
    assert [entry.id for entry in room.updates_after(0) or []] == [s.id for s in stored]


async def test_the_copy_holds_every_update_it_took_whenever_it_is_read(doc_room, server_loop):
    """Updates taken are applied to the cached Doc when it is read, not one by one: a read
    (a sync answer, a state vector, whether an edit's needs are held) at any moment still sees
    every one of them, and no more than a bounded number wait unapplied."""
    updates = two_people_typing(doc_room.text, 120, random.Random(5))
    room_id = doc_room.room.id
    room = RoomDoc(room_id, await docstore().load(room_id))
    shadow = Doc()
    for n, update in enumerate(updates, start=1):
        await room.receive(update, n, n - 1)
        shadow.apply_update(update)
        if n > 150 and n % 7 == 0:  # unread a long while, then read now and then
            assert str(room.doc.get(doc_room.text, type=Text)) == str(
                shadow.get(doc_room.text, type=Text)
            )
        if n > 150 and n % 11 == 0:
            held = read_state_vector(shadow.get_state())
            assert not room.lacks(held)  # what it took counts as held at once
            assert room.lacks({client: clock + 1 for client, clock in held.items()})
        assert len(room.unapplied) < UNAPPLIED_KEPT
    assert room.doc.get_state() == shadow.get_state()
    assert room.doc.get_update() and str(room.doc.get(doc_room.text, type=Text)) == str(
        shadow.get(doc_room.text, type=Text)
    )
