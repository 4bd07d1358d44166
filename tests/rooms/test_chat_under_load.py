"""Chat when many rooms talk at once: each message is few queries, a room's transcript stays
gap-free and ordered, and one room waiting on the database holds up no other room."""

import asyncio
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from rooms import actions
from rooms.models import ChatMessage, Room, RoomEvent
from rooms.threads import thread_of
from tests.rooms.conftest import db_async, room_row_locked


def test_a_chat_message_is_one_query(room):
    """One call on the room's database thread (rooms_send_chat): lock the room, read the seat,
    store the message, take the next sequence number, store the event; its own transaction."""
    with CaptureQueriesContext(connection) as queries:
        actions.send_chat(room.seats["candidate"], "Can I use Python?")
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1, statements


@pytest.mark.django_db(transaction=True)
def test_messages_sent_at_once_get_gap_free_numbers_in_order(room):
    seats = [room.seats["interviewer"], room.seats["candidate"], room.seats["observer"]]
    before = RoomEvent.objects.filter(room=room.room).count()

    def talk(seat):
        try:
            for n in range(10):
                actions.send_chat(seat, f"{seat.role} {n}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=talk, args=(seat,)) for seat in seats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = list(RoomEvent.objects.filter(room=room.room).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, before + 31))
    # Numbers follow the order the messages were stored in.
    in_seq_order = [e.data["message"] for e in events if e.type == "chat"]
    assert in_seq_order == sorted(ChatMessage.objects.values_list("id", flat=True))
    assert Room.objects.get(id=room.room.id).event_seq == before + 30


@pytest.mark.django_db(transaction=True)
async def test_a_room_stuck_on_the_database_holds_up_no_other_rooms_chat(bank, alice, clients):
    stuck, other = await db_async(_two_rooms_on_different_threads)(alice)
    waiting = await clients(stuck.room.id, stuck.tokens["candidate"])
    sender = await clients(other.room.id, other.tokens["interviewer"])
    hearer = await clients(other.room.id, other.tokens["candidate"])
    async with room_row_locked(stuck.room.id, hold_s=10):  # someone's long transaction
        await waiting.send({"type": "chat.send", "text": "anyone there?"})
        await asyncio.sleep(0.2)  # its database work is now waiting for the lock
        await sender.send({"type": "chat.send", "text": "hello"})
        heard = await hearer.receive_type("chat.message", timeout=2)
        assert heard["message"]["text"] == "hello"
    # Once the lock is gone, the stuck room's message goes through.
    sent = await waiting.receive_type("chat.message", timeout=3)
    assert sent["message"]["text"] == "anyone there?"


def _two_rooms_on_different_threads(owner):
    first = actions.create_room(owner, "Stuck", "screen")
    for n in range(20):
        second = actions.create_room(owner, f"Other {n}", "screen")
        if thread_of(second.room.id) != thread_of(first.room.id):
            return first, second
    raise AssertionError("no two rooms on different threads")
