"""A server process stopped with SIGTERM (a deploy, a scale-down) drains: it takes no new
connection, stores what its clients already sent, and closes every websocket with 1012
(service restart), so each client reconnects at once to another process with nothing lost and
nothing stored twice."""

import asyncio
import signal
import socket

import pytest

from tests.control_client import ControlClient
from tests.editor.typists import Typist, assert_each_once, converged
from tests.editor.yclient import YClient

pytestmark = pytest.mark.django_db(transaction=True)


def refuses_connections(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def test_sigterm_drains_then_closes_with_1012_and_clients_resume_elsewhere(
    daphne_servers, doc_room
):
    leaving, staying = daphne_servers(), daphne_servers()
    control = await ControlClient(
        f"{leaving.ws_url}/ws/rooms/{doc_room.room.id}/?token={doc_room.tokens['candidate']}"
    ).connect()
    typing_here = await YClient(doc_room.url(leaving, "candidate")).connect()
    watching = await YClient(doc_room.url(staying, "interviewer")).connect()
    typist = Typist(typing_here, doc_room.text, "c", seed=14).start()
    await asyncio.sleep(1)  # typing, some of it in flight when the signal comes

    leaving.process.send_signal(signal.SIGTERM)
    code = (await asyncio.wait_for(typing_here.closed, 10))[0]
    await asyncio.to_thread(leaving.process.wait, 10)
    assert code == 1012, leaving.output()[-3000:]
    assert await control.close_code() == 1012
    await typist.stop()
    assert await asyncio.to_thread(leaving.process.wait, 10) == 0
    assert refuses_connections(leaving.port)

    # The typist goes on, on the other process (as the balancer sends it there).
    typing_here.url = doc_room.url(staying, "candidate")
    await typing_here.reconnect()
    more = Typist(typing_here, doc_room.text, "d", seed=15).start()
    await asyncio.sleep(0.3)
    await more.stop()
    code = await converged([typing_here, watching], str(doc_room.room.id), doc_room.text)
    assert_each_once(code, typist.typed + more.typed)
    for client in (typing_here, watching):
        await client.disconnect()


async def test_a_quiet_process_stops_at_once_on_sigterm(daphne_servers):
    server = daphne_servers()
    loop = asyncio.get_running_loop()
    started = loop.time()
    server.process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(server.process.wait, 10) == 0
    assert loop.time() - started < 5
