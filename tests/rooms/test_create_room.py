import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from rooms import actions
from rooms.models import Room, RoomEvent, Seat
from rooms.seats import seat_for_token


def test_room_gets_three_seats_and_the_templates_plan(room):
    assert room.room.title == "Backend screen"
    assert {seat.role for seat in room.room.seats.all()} == {"interviewer", "candidate", "observer"}
    plan = list(room.room.plan.values_list("question__slug", "position", "minutes"))
    assert plan == [("two-sum", 1, 15), ("fizz-buzz", 2, 15)]
    assert list(RoomEvent.objects.filter(room=room.room).values_list("type", flat=True)) == [
        "room.created"
    ]
    for role, token in room.tokens.items():
        assert seat_for_token(room.room.id, token).role == role


def test_unknown_template_creates_nothing(bank, alice):
    with pytest.raises(actions.NotFound):
        actions.create_room(alice, "x", "no-such-template")
    assert not Room.objects.exists()


def test_create_room_command_prints_one_json_line_per_room(bank, settings):
    settings.PUBLIC_URL = "https://interviews.example.org"
    out = StringIO()
    call_command(
        "create_room", "--interviewer", "bob", "--template", "screen", "--count", "2", stdout=out
    )
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    assert User.objects.filter(username="bob").exists()
    for line in lines:
        assert set(line) == {"room", "links", "tokens"}
        room_id = line["room"]
        assert Room.objects.get(id=room_id).owner.username == "bob"
        for role in ("interviewer", "candidate", "observer"):
            token = line["tokens"][role]
            assert line["links"][role] == (
                f"https://interviews.example.org/r/{room_id}/join/{token}"
            )
            assert seat_for_token(room_id, token).role == role
    assert Seat.objects.filter(role="interviewer", name="bob").count() == 2


def test_create_room_command_reuses_the_interviewers_account(bank, alice):
    out = StringIO()
    call_command("create_room", "--interviewer", "alice", "--kind", "pair", stdout=out)
    line = json.loads(out.getvalue())
    room = Room.objects.get(id=line["room"])
    assert room.owner == alice and room.kind == "pair" and room.plan.count() == 0
    assert User.objects.count() == 1


def test_create_room_command_refuses_an_unknown_template(bank):
    with pytest.raises(CommandError, match="no template"):
        call_command("create_room", "--interviewer", "bob", "--template", "nope", stdout=StringIO())
    assert not Room.objects.exists()


def test_deleting_a_room_deletes_its_document(room):
    from django.utils import timezone

    from editor.models import DocSnapshot, DocUpdate

    other = actions.create_room(room.room.owner, "Another")
    for made in (room, other):
        DocUpdate.objects.create(room_id=made.room.id, at=timezone.now(), data=b"\x00\x00")
        DocSnapshot.objects.create(room_id=made.room.id, upto=1, at=timezone.now(), data=b"")
    room_id = room.room.id
    room.room.delete()
    assert not DocUpdate.objects.filter(room_id=room_id).exists()
    assert not DocSnapshot.objects.filter(room_id=room_id).exists()
    assert DocUpdate.objects.filter(room_id=other.room.id).count() == 1
