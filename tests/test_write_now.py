"""Frames leave the server at once (config.write_now); what a slow client's socket cannot take
yet waits in the server, and arrives whole and in order once the client reads again."""

import asyncio
import socket

import websockets
from pycrdt import Doc, Text

from editor.protocol import create_sync_step1_message, parse_message
from tests.editor.yclient import YClient

CHUNK = "x" * 40_000
TYPED = 170  # about 6.8 MB: more than the socket buffers on both sides hold


async def test_a_client_that_stops_reading_gets_every_frame_whole_and_in_order(
    daphne_servers, doc_room
):
    server = daphne_servers()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills at once
    sock.connect(("127.0.0.1", server.port))
    slow = await websockets.connect(
        doc_room.url(server, "interviewer"), sock=sock, max_size=None, max_queue=1
    )
    await slow.send(create_sync_step1_message(Doc().get_state()))
    while parse_message(await slow.recv()).kind != "sync2":
        pass  # synced: from here on the room's updates are forwarded to it

    typist = await YClient(doc_room.url(server, "candidate")).connect()
    typed = typist.text(doc_room.text)
    for i in range(TYPED):  # while the slow client reads nothing
        typed.insert(len(typed), f"<{i}>{CHUNK}")
        await asyncio.sleep(0.005)

    seen = Doc()
    text = seen.get(doc_room.text, type=Text)
    markers: list[int] = []
    while str(text) != str(typed):
        message = parse_message(await asyncio.wait_for(slow.recv(), 30))
        if message.kind in ("update", "sync2"):
            seen.apply_update(message.payload)
            markers.append(str(text).count("<"))
    assert markers == list(range(1, TYPED + 1))  # one keystroke per frame, in order
    await typist.disconnect()
    await slow.close()
