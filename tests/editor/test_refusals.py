"""Bad input on the document channel is refused and the stored document is untouched."""

import asyncio

import pytest
import websockets
from asgiref.sync import sync_to_async
from pycrdt import Doc, Text

from config import serve
from editor import documents, limits
from editor.models import DocUpdate
from editor.protocol import create_sync_step1_message, create_update_message
from rooms.models import Room
from tests.editor.conftest import make_doc_room
from tests.editor.test_update_ids import block, id_, item, nested, root, string
from tests.editor.test_update_ids import update as update_v1
from tests.editor.yclient import YClient, eventually
from tests.factories import revoked


def an_update(text: str, name: str) -> bytes:
    doc: Doc = Doc()
    doc.get(name, type=Text).insert(0, text)
    return doc.get_update()


async def update_count(expected: int) -> bool:
    return await sync_to_async(DocUpdate.objects.count)() == expected


async def refused(url: str) -> int:
    """The close code a handshake gets before any message."""
    async with websockets.connect(url) as ws:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        return ws.protocol.close_rcvd.code


async def close_code(client: YClient) -> int:
    assert client.closed is not None
    code, _ = await client.closed
    return code


async def stored_text(doc_room) -> str:
    return (await sync_to_async(documents.code_now)(doc_room.room.id, [doc_room.text]))[
        doc_room.text
    ]


async def typed(server, doc_room, text: str) -> YClient:
    client = await YClient(doc_room.url(server, "candidate")).connect()
    client.text(doc_room.text).insert(0, text)
    await eventually(lambda: update_count(1), timeout=5)
    return client


@pytest.fixture
def server(shared_server, transactional_db):
    return shared_server


async def test_a_malformed_update_is_refused_and_the_document_is_untouched(server, doc_room):
    writer = await typed(server, doc_room, "keep me")
    attacker = await YClient(doc_room.url(server, "interviewer")).connect()
    await attacker.send_raw(create_update_message(b"\x05\xff\xff\x00garbage"))
    assert await close_code(attacker) == limits.CLOSE_MALFORMED
    assert await stored_text(doc_room) == "keep me"
    assert await sync_to_async(DocUpdate.objects.count)() == 1
    await writer.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        b"\x00\x02\x40abc",  # says 64 bytes follow, sends 3
        b"\x00\x02\x01\x00\x00",  # a byte after the update
        b"\x00\x07\x02\x00\x00",  # no such sync message
        b"\x09\x02\x00\x00",  # no such message
    ],
    ids=["truncated", "trailing", "unknown-sync", "unknown-type"],
)
async def test_a_malformed_frame_is_refused(server, doc_room, frame):
    client = await YClient(doc_room.url(server, "candidate")).connect()
    await client.send_raw(frame)
    assert await close_code(client) == limits.CLOSE_MALFORMED
    assert await sync_to_async(DocUpdate.objects.count)() == 0


async def test_text_frames_are_refused(server, doc_room):
    client = await YClient(doc_room.url(server, "candidate")).connect()
    await client.ws.send("hello")
    assert await close_code(client) == limits.CLOSE_MALFORMED


async def test_an_oversized_frame_is_refused_and_nothing_is_stored(server, doc_room):
    client = await YClient(doc_room.url(server, "candidate")).connect()
    huge = an_update("x" * (limits.MAX_FRAME_BYTES + 1000), doc_room.text)
    assert len(create_update_message(huge)) < serve.MAX_MESSAGE_BYTES  # ours answers first
    await client.send_raw(create_update_message(huge))
    assert await close_code(client) == limits.CLOSE_TOO_LARGE
    assert await sync_to_async(DocUpdate.objects.count)() == 0


async def test_an_observer_cannot_write_but_still_sees_edits(server, doc_room):
    observer = await YClient(doc_room.url(server, "observer")).connect()
    candidate = await YClient(doc_room.url(server, "candidate")).connect()
    observer.text(doc_room.text).insert(0, "observer was here")
    candidate.text(doc_room.text).insert(0, "candidate code")
    await eventually(lambda: "candidate code" in observer.code(doc_room.text))
    # The candidate never receives the observer's text, and it is not stored.
    await eventually(lambda: update_count(1), timeout=5)
    assert "observer" not in candidate.code(doc_room.text)
    assert await stored_text(doc_room) == "candidate code"
    await observer.disconnect()
    await candidate.disconnect()


@pytest.mark.parametrize("token", ["wrong-token", ""])
async def test_a_wrong_token_is_refused(server, doc_room, token):
    assert (
        await refused(f"{server.ws_url}/ws/doc/{doc_room.room.id}?token={token}")
        == limits.CLOSE_FORBIDDEN
    )


async def test_a_token_of_another_room_is_refused(server, doc_room):
    other = await sync_to_async(make_doc_room)("Other room")
    assert (
        await refused(
            f"{server.ws_url}/ws/doc/{doc_room.room.id}?token={other.tokens['candidate']}"
        )
        == limits.CLOSE_FORBIDDEN
    )


async def test_an_unknown_room_is_not_found(server, doc_room):
    assert (
        await refused(f"{server.ws_url}/ws/doc/no-such-room?token={doc_room.tokens['candidate']}")
        == limits.CLOSE_NOT_FOUND
    )


async def test_revoked_and_ended_seats_are_refused(server, doc_room):
    seat = await sync_to_async(lambda: doc_room.room.seats.get(role="observer"))()
    await sync_to_async(revoked)(seat)
    assert await refused(doc_room.url(server, "observer")) == limits.CLOSE_FORBIDDEN
    await sync_to_async(Room.objects.filter(id=doc_room.room.id).update)(status=Room.Status.ENDED)
    assert await refused(doc_room.url(server, "candidate")) == limits.CLOSE_ROOM_ENDED


async def test_a_foreign_origin_is_refused_at_the_handshake(server, doc_room):
    client = YClient(doc_room.url(server, "candidate"), origin="https://evil.example")
    with pytest.raises(websockets.InvalidStatus):
        await client.connect(timeout=2)


async def test_a_flood_of_sync_requests_is_not_answered_with_a_flood(server, doc_room):
    """Each answer may be the whole document: a client asking 300 times gets a few."""
    writer = await typed(server, doc_room, "x" * 50_000)
    asker = await YClient(doc_room.url(server, "interviewer")).connect()
    before = asker.kinds.count("sync2")
    for _ in range(300):
        await asker.send_raw(create_sync_step1_message(Doc().get_state()))
    await asyncio.sleep(2)
    answered = asker.kinds.count("sync2") - before
    assert 1 <= answered <= limits.SYNCS_BURST + 3
    assert asker.online
    await writer.disconnect()


async def test_one_seat_opens_a_bounded_number_of_document_connections(server, doc_room):
    opened = [
        await YClient(doc_room.url(server, "observer")).connect()
        for _ in range(limits.CONNECTIONS_PER_SEAT)
    ]
    assert await refused(doc_room.url(server, "observer")) == limits.CLOSE_TOO_MANY
    # Another seat is not affected.
    candidate = await YClient(doc_room.url(server, "candidate")).connect()
    for client in (*opened, candidate):
        await client.disconnect()


async def test_an_update_the_browsers_would_read_differently_changes_nothing(server, doc_room):
    """A clock of 2**32 passes pycrdt (it wraps it to 0) while Yjs holds it back forever:
    refused before it is stored, so every copy of the document stays the same."""
    writer = await typed(server, doc_room, "keep me")
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    attacker = await YClient(doc_room.url(server, "candidate")).connect()
    crafted = update_v1(block(7, 2**32, item(string("hidden"), parent=root(doc_room.text))))
    await attacker.send_raw(create_update_message(crafted))
    assert await close_code(attacker) == limits.CLOSE_MALFORMED
    assert await stored_text(doc_room) == "keep me"
    assert watcher.code(doc_room.text) == "keep me"
    await writer.disconnect()
    await watcher.disconnect()


async def test_an_update_pycrdt_cannot_apply_is_refused_and_changes_nothing(server, doc_room):
    """Well-formed bytes (the id check passes them) whose second item's parent is the first
    item, a string rather than a shared type: pycrdt refuses to apply it, so it never reaches
    the log, where it would break every later load of the room."""
    writer = await typed(server, doc_room, "keep me")
    attacker = await YClient(doc_room.url(server, "candidate")).connect()
    first = item(string("a"), parent=root(doc_room.text))
    crafted = update_v1(block(7, 0, first, item(string("b"), parent=b"\x00" + id_(7, 0))))
    await attacker.send_raw(create_update_message(crafted))
    assert await close_code(attacker) == limits.CLOSE_MALFORMED
    assert await stored_text(doc_room) == "keep me"
    await writer.disconnect()


async def test_an_update_that_would_crash_pycrdt_is_refused_and_the_server_lives(server, doc_room):
    attacker = await YClient(doc_room.url(server, "candidate")).connect()
    await attacker.send_raw(create_update_message(nested(100_000)))  # 200 KB, deep
    assert await close_code(attacker) == limits.CLOSE_MALFORMED
    writer = await typed(server, doc_room, "still here")
    assert await stored_text(doc_room) == "still here"
    await writer.disconnect()


async def test_a_seat_revoked_without_word_is_cut_off_by_the_periodic_check(
    daphne_servers, doc_room
):
    """News of a revoked seat lost between processes: the process's periodic check of all its
    rooms still cuts that seat off, and only it."""
    server = daphne_servers(env={"DOC_RESYNC_S": "1"})
    next_door = await sync_to_async(make_doc_room)("Next door")
    editor = await YClient(doc_room.url(server, "candidate")).connect()
    neighbour = await YClient(next_door.url(server, "candidate")).connect()
    seat = await sync_to_async(lambda: doc_room.room.seats.get(role="candidate"))()
    await sync_to_async(revoked)(seat)  # nobody is told

    code, _ = await asyncio.wait_for(asyncio.shield(editor.closed), 5)
    assert code == limits.CLOSE_FORBIDDEN
    await asyncio.sleep(1.5)  # another periodic check
    assert neighbour.online
    neighbour.text(next_door.text).insert(0, "still here")
    await eventually(lambda: stored_text(next_door), timeout=5)
    assert await stored_text(next_door) == "still here"
    await neighbour.disconnect()
