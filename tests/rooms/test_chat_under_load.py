"""Chat when many people talk at once: each message is few queries, and a room's transcript
stays gap-free and ordered."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from rooms import actions
from rooms.models import ChatMessage, Room, RoomEvent


def test_a_chat_message_is_five_queries(room):
    """They run one after another on the room's database thread: lock the room, read the
    seat, store the message, take the next sequence number, store the event."""
    with CaptureQueriesContext(connection) as queries:
        actions.send_chat(room.seats["candidate"], "Can I use Python?")
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 5, statements


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
