"""Shown early, stored surely. An edit reaches the others while its commit is in flight (with
EDITOR_SHOW=stored, only once committed), and each client gets it once; a write PostgreSQL
refuses closes the writer's connection so that it syncs again; an edit built on one that was
never stored is stored together with it; an edit whose process died before committing it is
asked back from a client that saw it; a write batch retried after a lost answer is stored once.
"""

import asyncio
import contextlib

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from editor import limits
from editor.models import DocUpdate
from editor.store import Batch, PendingUpdate
from editor.store_postgres import PostgresStore
from tests.editor.typists import stored_code
from tests.editor.writes import (
    commits_held,
    refusing_marked_writes,
    stored_is,
    typist_and_watchers,
)
from tests.editor.yclient import YClient, eventually

QUICK_RESYNC = {"DOC_RESYNC_S": "1"}


def update_frames(watchers) -> list[int]:
    """How many update frames each watcher has received."""
    return [watcher.kinds.count("update") for watcher in watchers]


async def test_others_see_an_edit_while_its_commit_is_held_and_get_it_once(
    daphne_servers, doc_room
):
    typist, watchers = await typist_and_watchers(doc_room, daphne_servers(), daphne_servers())
    frames_before = update_frames(watchers)
    with commits_held():
        typist.text(doc_room.text).insert(0, "held back")
        await eventually(lambda: all(w.code(doc_room.text) == "held back" for w in watchers))
        assert await stored_code(doc_room.room.id, doc_room.text) == ""  # not stored yet
    await eventually(lambda: stored_is(doc_room, "held back"))
    await asyncio.sleep(0.5)  # the stored update went to both connections meanwhile
    frames_after = update_frames(watchers)
    assert [after - before for before, after in zip(frames_before, frames_after, strict=True)] == [
        1,
        1,
    ]
    for client in (typist, *watchers):
        await client.disconnect()


async def test_with_editor_show_stored_nobody_sees_an_edit_before_it_is_stored(
    daphne_servers, doc_room
):
    stored_first = {"EDITOR_SHOW": "stored"}
    typist, watchers = await typist_and_watchers(
        doc_room, daphne_servers(env=stored_first), daphne_servers(env=stored_first)
    )
    frames_before = update_frames(watchers)
    with commits_held():
        typist.text(doc_room.text).insert(0, "held back")
        await asyncio.sleep(1.5)
        assert [watcher.code(doc_room.text) for watcher in watchers] == ["", ""]
    await eventually(lambda: all(w.code(doc_room.text) == "held back" for w in watchers))
    assert await stored_is(doc_room, "held back")
    await asyncio.sleep(0.5)
    frames_after = update_frames(watchers)
    assert [after - before for before, after in zip(frames_before, frames_after, strict=True)] == [
        1,
        1,
    ]
    for client in (typist, *watchers):
        await client.disconnect()


async def test_a_refused_write_closes_the_writers_connection_and_nothing_is_lost(
    daphne_servers, doc_room
):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    typist.text(doc_room.text).insert(0, "kept ")
    await eventually(lambda: watcher.code(doc_room.text) == "kept ")
    with refusing_marked_writes():
        typist.text(doc_room.text).insert(5, "REFUSED")
        code, _ = await asyncio.wait_for(asyncio.shield(typist.closed), 5)
        assert code == limits.CLOSE_NOT_STORED  # reconnect and sync again
        assert watcher.code(doc_room.text) == "kept REFUSED"  # shown while in flight
        assert await stored_code(doc_room.room.id, doc_room.text) == "kept "
    await typist.reconnect()  # the browser's edit was never lost: it syncs it again
    await eventually(lambda: stored_is(doc_room, "kept REFUSED"))
    await typist.disconnect()
    await watcher.disconnect()


async def test_an_edit_built_on_one_never_stored_is_stored_with_it(daphne_servers, doc_room):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    typist.text(doc_room.text).insert(0, "kept ")
    await eventually(lambda: watcher.code(doc_room.text) == "kept ")
    with refusing_marked_writes():
        typist.text(doc_room.text).insert(5, "REFUSED")
        await asyncio.wait_for(asyncio.shield(typist.closed), 5)
        await typist.drop()  # and its author is gone for good
    await eventually(lambda: watcher.code(doc_room.text) == "kept REFUSED")
    watcher.text(doc_room.text).insert(12, "!")  # right after the unstored edit
    await eventually(lambda: stored_is(doc_room, "kept REFUSED!"))
    assert watcher.online
    await watcher.disconnect()


async def test_an_edit_whose_process_died_before_its_commit_is_asked_back(daphne_servers, doc_room):
    doomed, survivor = daphne_servers(), daphne_servers(env=QUICK_RESYNC)
    typist = await YClient(doc_room.url(doomed, "candidate")).connect()
    watcher = await YClient(doc_room.url(survivor, "interviewer")).connect()
    with commits_held() as admin:
        typist.text(doc_room.text).insert(0, "seen, then stored")
        await eventually(lambda: watcher.code(doc_room.text) == "seen, then stored")
        doomed.kill()  # its commit was waiting: it dies with the process
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
    await typist.drop()  # its author does not come back either
    await eventually(lambda: stored_is(doc_room, "seen, then stored"))
    await watcher.disconnect()


class LosesTheAnswer:
    """A TCP hop between the store and PostgreSQL. Armed, it lets the next write batch (a call
    of the function that writes update rows) reach the server, waits until the server has
    committed it and is ready for more (ReadyForQuery), then cuts the connection before the
    answer gets back: the write happened, and the writer cannot know."""

    READY = b"Z\x00\x00\x00\x05"

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.armed = False
        self.cuts = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        cutting = asyncio.Event()

        async def upstream() -> None:
            while data := await reader.read(65536):
                if self.armed and b"editor_append_batch" in data:
                    self.armed = False
                    cutting.set()
                up_writer.write(data)
                await up_writer.drain()

        async def downstream() -> None:
            held = b""
            while data := await up_reader.read(65536):
                if cutting.is_set():
                    held += data
                    if self.READY in held:  # committed: now the answer is lost
                        self.cuts += 1
                        writer.transport.abort()
                        up_writer.close()
                        return
                    continue
                writer.write(data)
                await writer.drain()

        tasks = [asyncio.create_task(upstream()), asyncio.create_task(downstream())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            writer.close()
            up_writer.close()


@pytest.mark.django_db(transaction=True)
async def test_a_batch_retried_after_its_answer_was_lost_is_stored_once(doc_room, monkeypatch):
    params = connection.get_connection_params()
    hop = LosesTheAnswer(params.get("host") or "127.0.0.1", int(params.get("port") or 5432))
    port = await hop.start()
    store = PostgresStore()
    try:
        with monkeypatch.context() as through_the_hop:
            through_the_hop.setitem(connection.settings_dict, "PORT", str(port))
            first = await store.append(Batch([PendingUpdate(doc_room.room.id, None, b"\x00\x00")]))
            hop.armed = True
            updates = [PendingUpdate(doc_room.room.id, None, bytes([0, i])) for i in range(1, 4)]
            stored = await store.append(Batch(updates))
    finally:
        await store.close()
        assert hop.server is not None
        hop.server.close()
    assert hop.cuts == 1  # the first attempt committed and its answer was lost
    rows = await sync_to_async(list)(
        DocUpdate.objects.filter(room_id=doc_room.room.id).order_by("id").values_list("id", "data")
    )
    assert [bytes(data) for _, data in rows] == [b"\x00\x00", b"\x00\x01", b"\x00\x02", b"\x00\x03"]
    ids = [row_id for row_id, _ in rows]
    assert [(s.id, s.prev_id) for s in stored] == [
        (ids[1], ids[0]),
        (ids[2], ids[1]),
        (ids[3], ids[2]),
    ]
    assert first[0].id == ids[0]
