"""A connection's updates in flight (editor.inflight): the typist's next keystrokes reach the
others while its commits wait; when one is refused, none of that connection's later edits is
stored without it; an edit built on another's edit in flight gets that commit without the
batch gap; a seat revoked mid-edit keeps what it typed in time; the document-size limit counts
what is in flight."""

import asyncio

from asgiref.sync import sync_to_async

from editor import limits
from editor.models import DocUpdate
from tests.editor.typists import stored_code
from tests.editor.writes import (
    commits_held,
    refusing_marked_writes,
    stored_is,
    typist_and_watchers,
)
from tests.editor.yclient import YClient, eventually
from tests.factories import revoked


async def stored_rows(room_id: str) -> int:
    return await sync_to_async(DocUpdate.objects.filter(room_id=room_id).count)()


async def test_the_typist_keeps_reaching_the_others_while_its_commits_wait(
    daphne_servers, doc_room
):
    typist, watchers = await typist_and_watchers(doc_room, daphne_servers(), daphne_servers())
    text = typist.text(doc_room.text)
    asked_before = typist.kinds.count("sync1")
    with commits_held():
        for at, key in enumerate("typed on"):  # one update per keystroke
            text.insert(at, key)
            await asyncio.sleep(0.05)
        await eventually(lambda: all(w.code(doc_room.text) == "typed on" for w in watchers))
        assert await stored_code(doc_room.room.id, doc_room.text) == ""  # none committed yet
    await eventually(lambda: stored_is(doc_room, "typed on"))
    assert typist.online
    # Each keystroke was taken as it came, none held until asked for again.
    assert typist.kinds.count("sync1") == asked_before
    for client in (typist, *watchers):
        await client.disconnect()


async def test_after_a_refused_write_no_later_edit_of_its_connection_is_stored(
    daphne_servers, doc_room
):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    text = typist.text(doc_room.text)
    text.insert(0, "kept ")
    await eventually(lambda: stored_is(doc_room, "kept "))
    rows = await stored_rows(doc_room.room.id)
    with refusing_marked_writes():
        with commits_held():
            text.insert(5, "REFUSED")  # its batch waits for the table, then is refused
            await asyncio.sleep(0.3)
            for at, key in enumerate("xyz", start=12):  # queued behind it, built on it
                text.insert(at, key)
                await asyncio.sleep(0.05)
            await eventually(lambda: watcher.code(doc_room.text) == "kept REFUSEDxyz")
        code, _ = await asyncio.wait_for(asyncio.shield(typist.closed), 5)
        assert code == limits.CLOSE_NOT_STORED
        # The operator's log says which room lost the write.
        await eventually(lambda: f"update not stored in room {doc_room.room.id}" in server.output())
        await asyncio.sleep(0.5)  # the later batch would have been written by now
        assert await stored_rows(doc_room.room.id) == rows
    await typist.reconnect()  # the browser still has all four edits: it sends them again
    await eventually(lambda: stored_is(doc_room, "kept REFUSEDxyz"))
    for client in (typist, watcher):
        await client.disconnect()


async def test_an_edit_built_on_anothers_edit_in_flight_does_not_wait_out_the_gap(
    daphne_servers, doc_room
):
    slow_batches = {"EDITOR_COMMIT_GAP_MS": "1000"}
    first, second = daphne_servers(env=slow_batches), daphne_servers(env=slow_batches)
    author = await YClient(doc_room.url(first, "candidate")).connect()
    other = await YClient(doc_room.url(second, "interviewer")).connect()
    author.text(doc_room.text).insert(0, "a")  # committed at once: the writer was idle
    await asyncio.sleep(0.1)
    author.text(doc_room.text).insert(1, "b")  # waits for the next batch, a second later
    await eventually(lambda: other.code(doc_room.text) == "ab")
    asked_before = other.kinds.count("sync1")
    other.text(doc_room.text).insert(2, "!")  # built on "b", in flight on the other process
    await eventually(lambda: author.code(doc_room.text) == "ab!")
    await eventually(lambda: stored_is(doc_room, "ab!"))
    # Accepted as it came: not held until the gap ended and then asked for again.
    assert other.kinds.count("sync1") == asked_before
    for client in (author, other):
        await client.disconnect()


async def test_edits_in_flight_when_their_seat_is_revoked_are_stored_and_relayed(
    daphne_servers, doc_room
):
    """Cut off mid-edit: what the seat typed while it was allowed is kept, once, on every
    process; the connection closes as forbidden."""
    quick_check = {"DOC_RESYNC_S": "1"}
    first, second = daphne_servers(env=quick_check), daphne_servers(env=quick_check)
    typist, watchers = await typist_and_watchers(doc_room, first, second)
    seat = await sync_to_async(lambda: doc_room.room.seats.get(role="candidate"))()
    with commits_held():
        typist.text(doc_room.text).insert(0, "typed in time")
        await eventually(lambda: all(w.code(doc_room.text) == "typed in time" for w in watchers))
        await sync_to_async(revoked)(seat)  # the periodic check cuts it off
        code, _ = await asyncio.wait_for(asyncio.shield(typist.closed), 5)
        assert code == limits.CLOSE_FORBIDDEN
    await eventually(lambda: stored_is(doc_room, "typed in time"))
    await asyncio.sleep(0.5)
    assert [w.code(doc_room.text) for w in watchers] == ["typed in time"] * 2
    assert "update not stored" not in first.output()  # followed to its commit, not dropped
    for watcher in watchers:
        await watcher.disconnect()


async def test_the_document_size_limit_counts_edits_still_in_flight(daphne_servers, doc_room):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    chunk = "x" * (limits.MAX_DOC_BYTES // 3)
    with commits_held():
        for _ in range(3):  # the third would take the document past the limit
            typist.text(doc_room.text).insert(0, chunk)
            await asyncio.sleep(0.3)
        code, _ = await asyncio.wait_for(asyncio.shield(typist.closed), 5)
        assert code == limits.CLOSE_TOO_LARGE
    await eventually(lambda: stored_is(doc_room, chunk * 2))
    await asyncio.sleep(0.5)
    assert await stored_code(doc_room.room.id, doc_room.text) == chunk * 2


async def test_edits_once_stored_count_only_once_against_the_document_size_limit(
    daphne_servers, doc_room
):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    chunk = "x" * (limits.MAX_DOC_BYTES // 3)
    text = typist.text(doc_room.text)
    for stored in (chunk, chunk * 2):  # each stored before the next: no longer in flight
        text.insert(0, chunk)
        await eventually(lambda stored=stored: stored_is(doc_room, stored))
    text.insert(0, "fits")  # two thirds stored, nothing in flight: well under the limit
    await eventually(lambda: stored_is(doc_room, "fits" + chunk * 2))
    assert typist.online
    await typist.disconnect()
