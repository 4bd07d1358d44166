"""Who is where: awareness reaches everyone (the sender too) and leaves with its connection."""

from editor.protocol import AwarenessEntry, encode_awareness
from tests.editor.yclient import YClient, eventually


def cursor(client_id: int, clock: int, name: str) -> bytes:
    return encode_awareness([AwarenessEntry(client_id, clock, f'{{"user":{{"name":"{name}"}}}}')])


async def test_a_closed_connection_leaves_nobody_seeing_its_cursor(daphne_servers, doc_room):
    first, second = daphne_servers(), daphne_servers()
    alice = await YClient(doc_room.url(first, "candidate")).connect()
    bob = await YClient(doc_room.url(second, "interviewer")).connect()
    await alice.send_awareness(cursor(111, 1, "Alice"))
    await bob.send_awareness(cursor(222, 1, "Bob"))
    # Everyone sees both, the sender included (the echo keeps an idle provider connected).
    await eventually(lambda: set(alice.awareness_states) == {111, 222})
    await eventually(lambda: set(bob.awareness_states) == {111, 222})
    carol = await YClient(doc_room.url(second, "observer")).connect()
    await eventually(lambda: set(carol.awareness_states) == {111, 222})

    await alice.disconnect()
    await eventually(lambda: set(bob.awareness_states) == {222})
    await eventually(lambda: set(carol.awareness_states) == {222})
    late = await YClient(doc_room.url(first, "observer")).connect()
    await eventually(lambda: 222 in late.awareness_states)
    assert 111 not in late.awareness_states
    for client in (bob, carol, late):
        await client.disconnect()
