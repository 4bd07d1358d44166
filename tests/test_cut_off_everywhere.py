"""A seat that loses its right loses it on every channel, on every process, at once: a revoked
seat, a renewed link, a room that ended. Two real server processes; the person cut off is on
the other process than the one who cuts them off."""

import asyncio
import contextlib

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.test import Client as HttpClient
from django.utils import timezone

from editor import documents
from editor.protocol import create_update_message
from rooms import transcript
from rooms.models import Room, RoomEvent, RoomQuestion, Seat
from tests.control_client import ControlClient, site_origin
from tests.editor.yclient import YClient, eventually

pytestmark = pytest.mark.django_db(transaction=True)


def control_url(server, doc_room, role: str) -> str:
    return f"{server.ws_url}/ws/rooms/{doc_room.room.id}/?token={doc_room.tokens[role]}"


async def stored(doc_room) -> str:
    code = await sync_to_async(documents.code_now)(doc_room.room.id, [doc_room.text])
    return code[doc_room.text]


async def refused(url: str) -> int:
    """The close code a handshake gets before any message."""
    async with websockets.connect(url, additional_headers={"Origin": site_origin(url)}) as ws:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        return ws.protocol.close_rcvd.code


async def typing_after_the_cut(client: YClient, doc_room, text: str) -> None:
    """What a browser whose socket is not closed yet would still send: an edit."""
    client.text(doc_room.text).insert(0, text)
    with contextlib.suppress(Exception):  # the socket may be closed already: that is the point
        await client.send_raw(create_update_message(client.doc.get_update()))


@pytest.fixture
def two_processes(daphne_servers):
    return daphne_servers(), daphne_servers()


async def test_a_revoked_candidate_is_cut_off_on_both_channels_everywhere(two_processes, doc_room):
    here, there = two_processes
    interviewer = await ControlClient(control_url(here, doc_room, "interviewer")).connect()
    watcher = await YClient(doc_room.url(here, "interviewer")).connect()
    candidate = await ControlClient(control_url(there, doc_room, "candidate")).connect()
    editor = await YClient(doc_room.url(there, "candidate")).connect()
    editor.text(doc_room.text).insert(0, "before ")
    await eventually(lambda: watcher.code(doc_room.text) == "before ")

    seat = await sync_to_async(Seat.objects.get)(room=doc_room.room, role="candidate")
    await interviewer.send({"type": "seat.revoke", "seat": seat.id})
    assert await candidate.close_code(timeout=3) == 4403
    code, _ = await asyncio.wait_for(asyncio.shield(editor.closed), 3)
    assert code == 4403

    await typing_after_the_cut(editor, doc_room, "AFTER ")
    await asyncio.sleep(0.5)
    assert await stored(doc_room) == "before "
    assert watcher.code(doc_room.text) == "before "
    # The link is dead for new connections too, on both processes and both channels.
    for server in (here, there):
        assert await refused(control_url(server, doc_room, "candidate")) == 4403
        assert await refused(doc_room.url(server, "candidate")) == 4403
    await interviewer.disconnect()
    await watcher.disconnect()


async def test_a_new_candidate_link_puts_the_old_holder_out_everywhere(
    two_processes, doc_room, server_loop
):
    here, there = two_processes
    owner = await sync_to_async(lambda: doc_room.room.owner)()
    watcher = await YClient(doc_room.url(here, "interviewer")).connect()
    candidate = await ControlClient(control_url(there, doc_room, "candidate")).connect()
    editor = await YClient(doc_room.url(there, "candidate")).connect()

    dashboard = HttpClient()
    await sync_to_async(dashboard.force_login)(owner)
    response = await sync_to_async(dashboard.post)(
        f"/r/{doc_room.room.id}/links/candidate/new", SERVER_NAME="127.0.0.1"
    )
    assert response.status_code == 302
    assert await candidate.close_code(timeout=3) == 4403
    code, _ = await asyncio.wait_for(asyncio.shield(editor.closed), 3)
    assert code == 4403
    await typing_after_the_cut(editor, doc_room, "AFTER ")
    await asyncio.sleep(0.5)
    assert "AFTER" not in await stored(doc_room)
    assert "AFTER" not in watcher.code(doc_room.text)
    await watcher.disconnect()


async def test_when_the_room_ends_the_code_is_frozen_for_everyone(
    two_processes, doc_room, server_loop
):
    here, there = two_processes
    await sync_to_async(
        lambda: RoomQuestion.objects.filter(room=doc_room.room).update(shown_at=timezone.now())
    )()
    interviewer = await ControlClient(control_url(here, doc_room, "interviewer")).connect()
    interviewer_editor = await YClient(doc_room.url(there, "interviewer")).connect()
    candidate = await ControlClient(control_url(there, doc_room, "candidate")).connect()
    editor = await YClient(doc_room.url(there, "candidate")).connect()
    editor.text(doc_room.text).insert(0, "final answer")
    await eventually(lambda: interviewer_editor.code(doc_room.text) == "final answer")

    await interviewer.send({"type": "room.end"})
    assert await candidate.close_code(timeout=3) == 4410
    code, _ = await asyncio.wait_for(asyncio.shield(editor.closed), 3)
    assert code == 4410
    await typing_after_the_cut(editor, doc_room, "late ")
    # The interviewer's editor stays open to read, but writes nothing any more.
    await asyncio.sleep(0.3)
    assert interviewer_editor.online
    interviewer_editor.text(doc_room.text).insert(0, "# edited after the end\n")
    await asyncio.sleep(0.7)
    assert await stored(doc_room) == "final answer"
    room = await sync_to_async(Room.objects.get)(id=doc_room.room.id)
    exported = await sync_to_async(transcript.questions_with_code)(room)
    assert [q["code"] for q in exported] == ["final answer"]
    assert (
        await sync_to_async(
            lambda: RoomEvent.objects.filter(room=room, type="room.ended").count()
        )()
        == 1
    )
    await interviewer.disconnect()
    await interviewer_editor.disconnect()
