"""The update writer: an update after a quiet spell is committed at once; while busy, the
writer gathers updates into few commits (editor.writer.BATCH_GAP_S)."""

import asyncio
from datetime import timedelta

from asgiref.sync import sync_to_async
from pycrdt import Doc, Text

from editor import writer as writer_module
from editor.models import DocBatch, DocUpdate
from editor.store import PendingUpdate
from tests.editor.writes import refusing_marked_writes

GAP_S = 0.5  # long, so that the test's timings are far from the line


def keystrokes(name: str, count: int) -> list[bytes]:
    doc = Doc()
    text = doc.get(name, type=Text)
    updates = []
    for i in range(count):
        before = doc.get_state()
        text.insert(len(text), str(i % 10))
        updates.append(doc.get_update(before))
    return updates


async def committed_in(room_id: str, update) -> float:
    """Seconds until the writer has committed this update of the room."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await writer_module.writer().submit(PendingUpdate(room_id, None, update))
    return loop.time() - start


@sync_to_async
def commits_holding(ids: list[int]) -> int:
    """How many transactions stored these updates (each batch keeps its ids under its key)."""
    wanted = set(ids)
    return sum(1 for batch in DocBatch.objects.values_list("ids", flat=True) if wanted & set(batch))


async def test_a_busy_writer_gathers_updates_and_a_lone_update_goes_at_once(
    doc_room, server_loop, monkeypatch
):
    monkeypatch.setattr(writer_module, "BATCH_GAP_S", GAP_S)
    room_id = doc_room.room.id
    updates = keystrokes(doc_room.text, 11)

    assert await committed_in(room_id, updates[0]) < GAP_S / 2  # the writer was quiet

    burst = []  # nine keystrokes 10 ms apart, while the gap after that commit runs
    for update in updates[1:10]:
        burst.append(writer_module.writer().submit(PendingUpdate(room_id, None, update)))
        await asyncio.sleep(0.01)
    stored = await asyncio.gather(*burst)
    assert await commits_holding([s.id for s in stored]) == 1

    await asyncio.sleep(GAP_S * 1.2)  # quiet again
    assert await committed_in(room_id, updates[10]) < GAP_S / 2
    ids = await sync_to_async(list)(
        DocUpdate.objects.filter(room_id=room_id).order_by("id").values_list("id", flat=True)
    )
    assert len(ids) == 11


async def test_hurried_the_writer_does_not_wait_out_the_gap(doc_room, server_loop, monkeypatch):
    monkeypatch.setattr(writer_module, "BATCH_GAP_S", GAP_S)
    room_id = doc_room.room.id
    first, second = keystrokes(doc_room.text, 2)
    await committed_in(room_id, first)  # the gap starts
    loop = asyncio.get_running_loop()
    start = loop.time()
    commit = writer_module.writer().submit(PendingUpdate(room_id, None, second))
    writer_module.writer().hurry()  # an update waits for this one
    await commit
    assert loop.time() - start < GAP_S / 2


async def test_an_update_after_a_refused_one_of_its_connection_is_not_written(
    doc_room, server_loop, monkeypatch
):
    monkeypatch.setattr(writer_module, "BATCH_GAP_S", GAP_S)
    room_id = doc_room.room.id
    writer = writer_module.writer()
    with refusing_marked_writes():
        refused = writer.submit(PendingUpdate(room_id, None, b"REFUSED"))
        await asyncio.sleep(0.05)  # its batch is under way; the next two wait for the gap
        after_it = writer.submit(PendingUpdate(room_id, None, b"\x00\x01"), after=refused)
        unrelated = writer.submit(PendingUpdate(room_id, None, b"\x00\x02"))
        outcomes = await asyncio.gather(refused, after_it, unrelated, return_exceptions=True)
    assert isinstance(outcomes[0], Exception)
    assert isinstance(outcomes[1], writer_module.NotStored)
    stored = await sync_to_async(list)(
        DocUpdate.objects.filter(room_id=room_id).values_list("data", flat=True)
    )
    assert [bytes(data) for data in stored] == [b"\x00\x02"]


async def test_updates_committed_together_keep_the_times_they_came_at(
    doc_room, server_loop, monkeypatch
):
    """The replay steps through the log by time: a batch's updates keep their own times,
    and a room's times never go backwards."""
    monkeypatch.setattr(writer_module, "BATCH_GAP_S", GAP_S)
    room_id = doc_room.room.id
    updates = keystrokes(doc_room.text, 4)
    await committed_in(room_id, updates[0])  # the gap starts: the next three go together
    first = writer_module.writer().submit(PendingUpdate(room_id, None, updates[1]))
    await asyncio.sleep(0.1)
    second = writer_module.writer().submit(PendingUpdate(room_id, None, updates[2]))
    stamped_earlier = PendingUpdate(room_id, None, updates[3])
    stamped_earlier.at -= timedelta(seconds=60)  # e.g. another host's clock behind
    third = writer_module.writer().submit(stamped_earlier)
    stored = await asyncio.gather(first, second, third)
    assert await commits_holding([s.id for s in stored]) == 1
    times = await sync_to_async(list)(
        DocUpdate.objects.filter(id__in=[s.id for s in stored])
        .order_by("id")
        .values_list("at", flat=True)
    )
    assert times[1] - times[0] >= timedelta(seconds=0.09)
    assert times[2] == times[1]
