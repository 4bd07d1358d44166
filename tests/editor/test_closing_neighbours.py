"""One connection's failure never reaches its neighbours: a connection that closes while the
room hands it an update or a cursor (its send raises) does not stop the others from getting
theirs, and does not close them."""

import asyncio
import random

from pycrdt import Doc, Text

from editor.access import Access
from editor.hub import RoomDoc
from editor.protocol import AwarenessEntry, encode_awareness
from editor.store import LoadedDoc
from tests.editor.typists import assert_each_once, converged, insert_marker
from tests.editor.yclient import YClient, eventually


class Connection:
    """A member of the room as the hub sees it; `closing` ones fail every send, as a
    websocket does once its peer is gone."""

    def __init__(self, number: int, closing: bool = False) -> None:
        self.number = number
        self.access = Access(seat_id=number, read=True, write=True, presence=True)
        self.own_awareness: dict[int, AwarenessEntry] = {}
        self.closing = closing
        self.forwarded = 0
        self.cursors = 0

    async def forward(self) -> None:
        if self.closing:
            raise RuntimeError("websocket is closing")
        self.forwarded += 1

    async def send_awareness(self, payload: bytes) -> None:
        if self.closing:
            raise RuntimeError("websocket is closing")
        self.cursors += 1

    async def change_access(self, access: Access) -> None:
        self.access = access


async def test_a_member_failing_a_send_does_not_stop_the_others():
    room = RoomDoc("room", LoadedDoc(doc=Doc(), last_id=0, stored_bytes=0))
    members = [Connection(1), Connection(2, closing=True), Connection(3), Connection(4, True)]
    room.members.update(members)
    typed = Doc()
    typed.get("q", type=Text).insert(0, "x")
    await room.receive(typed.get_update(), 1, 0)
    await room.share_awareness(encode_awareness([AwarenessEntry(9, 1, "{}")]), 9, publish=False)
    assert [m.forwarded for m in members if not m.closing] == [1, 1]
    assert [m.cursors for m in members if not m.closing] == [1, 1]


async def test_neighbours_dropping_mid_burst_leave_the_others_in_sync(daphne_servers, doc_room):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    stayers = [await YClient(doc_room.url(server, "interviewer")).connect() for _ in range(3)]
    leavers = [await YClient(doc_room.url(server, "observer")).connect() for _ in range(6)]
    rng = random.Random(4)
    typed = []
    for i in range(120):
        marker = f"a{i}"
        insert_marker(typist, doc_room.text, marker, rng)
        typed.append(marker)
        if i % 20 == 10 and leavers:
            await leavers.pop().drop()  # gone without a goodbye, mid-burst
        await asyncio.sleep(0.003)
    code = await converged([typist, *stayers], doc_room.room.id, doc_room.text)
    assert_each_once(code, typed)
    await eventually(lambda: all(client.online for client in [typist, *stayers]))
    for client in (typist, *stayers, *leavers):
        await client.disconnect()
