"""Pair practice: both participants drive the room and swap who plays the interviewer."""

import pytest

from rooms.models import RoomEvent, Seat
from tests.rooms.conftest import SECRET, db_async

pytestmark = pytest.mark.django_db(transaction=True)


async def test_both_participants_control_the_question_and_timer(pair_room, bank, clients):
    interviewer = await clients(pair_room.room.id, pair_room.tokens["interviewer"])
    candidate = await clients(pair_room.room.id, pair_room.tokens["candidate"])
    await candidate.send({"type": "question.show", "question": bank[1].id})
    shown = await interviewer.receive_type("question.shown")
    assert shown["question"]["id"] == bank[1].id
    await candidate.send({"type": "timer.start", "duration_s": 900})
    assert (await interviewer.receive_type("timer.state"))["status"] == "running"
    # Control is not a licence to see the interviewer's notes.
    candidate_view = await candidate.drain()
    assert SECRET not in str(candidate_view)


async def test_swapping_roles_swaps_what_each_one_sees(pair_room, bank, clients):
    first = await clients(pair_room.room.id, pair_room.tokens["interviewer"])
    second = await clients(pair_room.room.id, pair_room.tokens["candidate"])
    await first.send({"type": "question.show", "question": bank[0].id})
    await second.receive_type("question.shown")
    await second.send({"type": "roles.swap"})
    first_state = await first.receive_type("room.state")
    second_state = await second.receive_type("room.state")
    assert first_state["you"]["role"] == "candidate" and "plan" not in first_state
    assert SECRET not in str(first_state)
    assert second_state["you"]["role"] == "interviewer"
    assert second_state["question"]["solution"] == f"{SECRET} solution"
    # Broadcasts now follow the new roles.
    await second.send({"type": "notes.save", "text": "PRIVATE"})
    assert (await second.receive_type("notes.saved"))["note"]["text"] == "PRIVATE"
    assert "PRIVATE" not in str(await first.drain())
    roles = await db_async(
        lambda: dict(Seat.objects.filter(room=pair_room.room).values_list("id", "role"))
    )()
    assert roles[pair_room.seats["interviewer"].id] == "candidate"
    assert await db_async(RoomEvent.objects.filter(type="roles.swapped").count)() == 1


async def test_observer_cannot_swap_roles(pair_room, clients):
    observer = await clients(pair_room.room.id, pair_room.tokens["observer"])
    await observer.send({"type": "roles.swap"})
    assert (await observer.receive_type("error"))["code"] == "forbidden"
    assert await db_async(RoomEvent.objects.filter(type="roles.swapped").count)() == 0


async def test_the_owner_logged_in_keeps_their_seat_after_a_swap(pair_room, clients):
    from rooms import actions
    from rooms.seats import seat_for_user

    owner_seat = pair_room.seats["interviewer"]
    await db_async(actions.swap_roles)(owner_seat)
    seat = await db_async(seat_for_user)(pair_room.room.id, pair_room.room.owner)
    assert seat.id == owner_seat.id and seat.role == "candidate"
    assert await db_async(Seat.objects.filter(room=pair_room.room).count)() == 3


async def test_only_the_peer_playing_the_interviewer_ends_the_room(pair_room, clients):
    candidate = await clients(pair_room.room.id, pair_room.tokens["candidate"])
    await candidate.send({"type": "room.end"})
    assert (await candidate.receive_type("error"))["code"] == "forbidden"
    assert await db_async(RoomEvent.objects.filter(type="room.ended").count)() == 0
    interviewer = await clients(pair_room.room.id, pair_room.tokens["interviewer"])
    await interviewer.send({"type": "room.end"})
    assert (await interviewer.receive_type("room.ended"))["room"]["status"] == "ended"
