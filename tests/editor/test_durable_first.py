"""Durable before anyone sees it: an edit reaches the others only once PostgreSQL has it, a
write PostgreSQL refuses closes the writer's connection so that it syncs again (nothing lost,
nothing shown that is not stored), and a write batch retried after a lost answer is stored once.
"""

import asyncio
import contextlib

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from editor import limits
from editor.models import DocUpdate
from editor.store import Batch, PendingUpdate
from editor.store_postgres import PostgresStore
from tests.editor.typists import stored_code
from tests.editor.yclient import YClient, eventually


def admin_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    return psycopg.connect(**params, autocommit=True)


async def test_a_neighbour_on_the_same_process_sees_an_edit_only_once_it_is_stored(
    daphne_servers, doc_room
):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    with admin_connection() as admin:
        admin.execute("BEGIN")
        admin.execute("LOCK TABLE editor_docupdate IN EXCLUSIVE MODE")  # inserts wait
        typist.text(doc_room.text).insert(0, "held back")
        await asyncio.sleep(1.5)
        assert watcher.code(doc_room.text) == ""  # not relayed while it cannot be stored
        admin.execute("COMMIT")
    await eventually(lambda: watcher.code(doc_room.text) == "held back")
    assert await stored_code(doc_room.room.id, doc_room.text) == "held back"
    await typist.disconnect()
    await watcher.disconnect()


REFUSE_SQL = """
CREATE FUNCTION refuse_marked() RETURNS trigger AS $$
BEGIN
  IF position('REFUSED'::bytea in NEW.data) > 0 THEN RAISE EXCEPTION 'refused by test'; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER refuse_marked BEFORE INSERT ON editor_docupdate
  FOR EACH ROW EXECUTE FUNCTION refuse_marked();
"""


async def test_a_refused_write_closes_the_writers_connection_and_nothing_is_lost(
    daphne_servers, doc_room
):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    watcher = await YClient(doc_room.url(server, "interviewer")).connect()
    typist.text(doc_room.text).insert(0, "kept ")
    await eventually(lambda: watcher.code(doc_room.text) == "kept ")
    with admin_connection() as admin:
        admin.execute(REFUSE_SQL)
        try:
            typist.text(doc_room.text).insert(5, "REFUSED")
            code, _ = await asyncio.wait_for(asyncio.shield(typist.closed), 5)
            assert code == limits.CLOSE_NOT_STORED  # reconnect and sync again
            await asyncio.sleep(0.3)
            assert watcher.code(doc_room.text) == "kept "  # never shown: never stored
            assert await stored_code(doc_room.room.id, doc_room.text) == "kept "
        finally:
            admin.execute("DROP TRIGGER refuse_marked ON editor_docupdate")
            admin.execute("DROP FUNCTION refuse_marked()")
    await typist.reconnect()  # the browser's edit was never lost: it syncs it again
    await eventually(lambda: watcher.code(doc_room.text) == "kept REFUSED")
    assert await stored_code(doc_room.room.id, doc_room.text) == "kept REFUSED"
    await typist.disconnect()
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
