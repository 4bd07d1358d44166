"""A room's calls run one after another in the order they were made, whether on its database
thread or on the event loop (a chat message, rooms.threads): its changes commit in that order
and its frames go out so. And a chat message made on the loop is stored before anyone is told."""

import asyncio
import threading

import pytest

from rooms import actions
from rooms.live import registry
from rooms.models import ChatMessage, Room
from rooms.threads import in_room_thread
from tests.rooms.conftest import db_async, room_row_locked

pytestmark = pytest.mark.django_db(transaction=True)


def _count(room_id: str) -> int:
    return ChatMessage.objects.filter(room_id=room_id).count()


async def test_a_chat_on_the_loop_waits_for_the_rooms_earlier_thread_call(bank, alice):
    created = await db_async(actions.create_room)(alice, "Order", "screen")
    room_id = created.room.id
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(5)
        return _count(room_id)

    first = asyncio.ensure_future(in_room_thread(room_id, slow)())
    assert await asyncio.to_thread(started.wait, 5)
    chat = asyncio.ensure_future(actions.send_chat_async(created.seats["candidate"], "next"))
    await asyncio.sleep(0.3)
    assert not chat.done()
    assert await db_async(_count)(room_id) == 0
    release.set()
    assert await first == 0  # the thread's call saw no message: it ran first
    await chat
    assert await db_async(_count)(room_id) == 1


async def test_a_thread_call_waits_for_the_rooms_earlier_chat_on_the_loop(bank, alice):
    created = await db_async(actions.create_room)(alice, "Order", "screen")
    room_id = created.room.id
    async with room_row_locked(room_id, hold_s=5):  # the chat waits for this lock
        chat = asyncio.ensure_future(actions.send_chat_async(created.seats["candidate"], "hi"))
        await asyncio.sleep(0.1)
        later = asyncio.ensure_future(in_room_thread(room_id, _count)(room_id))
        await asyncio.sleep(0.3)
        assert not chat.done() and not later.done()
    await chat
    assert await later == 1  # it ran after the message was stored


async def test_a_chat_on_the_loop_is_stored_before_anyone_is_told(bank, alice):
    created = await db_async(actions.create_room)(alice, "Durable", "screen")
    room_id = created.room.id
    seen: list[int] = []

    class Listener:
        role, seat_id = "candidate", 0

        async def deliver(self, frame):
            seen.append(await db_async(_count)(room_id))

        async def refresh(self):
            pass

    member = Listener()
    await registry().add(room_id, member)
    try:
        await actions.send_chat_async(created.seats["interviewer"], "stored first")
        with pytest.raises(actions.Forbidden):  # a refused message tells nobody
            await db_async(Room.objects.filter(id=room_id).update)(status="ended")
            await actions.send_chat_async(created.seats["candidate"], "too late")
    finally:
        await registry().remove(room_id, member)
    assert seen == [1]
