import pytest

from rooms import actions
from rooms.live import EVERYONE, only
from rooms.models import ChatMessage, Note, RoomEvent, Score


def event_types(room):
    return list(
        RoomEvent.objects.filter(room=room)
        .exclude(type="room.created")
        .values_list("type", flat=True)
    )


def test_chat_message_is_stored_and_recorded(room):
    out = actions.send_chat(room.seats["candidate"], "  Can I use Python?  ")
    message = ChatMessage.objects.get(room=room.room)
    assert message.text == "Can I use Python?"
    event = RoomEvent.objects.get(room=room.room, type="chat")
    assert event.data == {"message": message.id, "text": "Can I use Python?"}
    assert event.actor == room.seats["candidate"]
    assert out.frames == [
        (EVERYONE, {"type": "chat.message", "message": out.frames[0][1]["message"]})
    ]
    assert out.frames[0][1]["message"]["text"] == "Can I use Python?"


@pytest.mark.parametrize("text", ["", "   ", "x" * (actions.CHAT_MAX_CHARS + 1), 42, None])
def test_bad_chat_is_refused(room, text):
    with pytest.raises(actions.Invalid):
        actions.send_chat(room.seats["candidate"], text)
    assert not ChatMessage.objects.exists() and event_types(room.room) == []


def test_notes_are_saved_for_interviewers_only(room):
    out = actions.save_notes(room.seats["interviewer"], "asks good questions")
    assert Note.objects.get(room=room.room).text == "asks good questions"
    assert event_types(room.room) == ["notes.saved"]
    assert [audience for audience, _ in out.frames] == [only(room.seats["interviewer"].id)]
    actions.save_notes(room.seats["interviewer"], "asks good questions; slow on edge cases")
    assert Note.objects.get(room=room.room).text.endswith("edge cases")
    for role in ("candidate", "observer"):
        with pytest.raises(actions.Forbidden):
            actions.save_notes(room.seats[role], "hijack")
    assert Note.objects.count() == 1 and "hijack" not in Note.objects.get().text


def test_scores_rate_each_question_and_recommend_overall(room, bank):
    interviewer = room.seats["interviewer"]
    actions.save_score(interviewer, bank[0].id, 3, None, "solid")
    actions.save_score(interviewer, bank[0].id, 4, None, "even better")
    actions.save_score(interviewer, None, None, "yes", "hire")
    per_question = Score.objects.get(room=room.room, item__question=bank[0])
    assert (per_question.rating, per_question.comment) == (4, "even better")
    overall = Score.objects.get(room=room.room, item=None)
    assert (overall.recommendation, overall.comment) == ("yes", "hire")
    assert event_types(room.room) == ["score.saved"] * 3


@pytest.mark.parametrize(
    "args",
    [
        (1, 9, None, ""),  # rating out of range
        (None, None, "maybe", ""),  # unknown recommendation
        (None, 3, None, ""),  # rating without a question
        (999999, 3, None, ""),  # not a question
        (1, 3, None, 5),  # comment not a string
    ],
)
def test_bad_scores_are_refused(room, bank, args):
    question, rating, recommendation, comment = args
    if question == 1:
        question = bank[0].id
    with pytest.raises(actions.RoomError):
        actions.save_score(room.seats["interviewer"], question, rating, recommendation, comment)
    assert not Score.objects.exists() and event_types(room.room) == []


def test_candidate_cannot_score(room, bank):
    with pytest.raises(actions.Forbidden):
        actions.save_score(room.seats["candidate"], bank[0].id, 4, None, "")
    assert not Score.objects.exists()


def test_questions_outside_the_plan_cannot_be_scored(room, bank):
    with pytest.raises(actions.NotFound):
        actions.save_score(room.seats["interviewer"], bank[2].id, 2, None, "")


@pytest.mark.parametrize("kind", ["interview", "pair"])
@pytest.mark.parametrize("status", ["scheduled", "live", "ended"])
@pytest.mark.parametrize("role", ["interviewer", "candidate", "observer"])
@pytest.mark.parametrize("revoked", [False, True])
def test_chat_is_stored_exactly_when_the_seat_may_talk(bank, alice, kind, status, role, revoked):
    """The one-call path (rooms_send_chat) decides as rooms.access.rights does, stores the
    message with its event in one transaction, and refuses with what every action says."""
    from django.utils import timezone

    from rooms.access import rights
    from rooms.models import Room, Seat

    created = actions.create_room(alice, "Screen", "screen", kind=kind)
    Room.objects.filter(id=created.room.id).update(status=status)
    seat = created.seats[role]
    if revoked:
        Seat.objects.filter(id=seat.id).update(revoked_at=timezone.now())
    fresh = Seat.objects.select_related("room").get(id=seat.id)
    can = rights(fresh)
    seq = Room.objects.get(id=created.room.id).event_seq
    if can.talk:
        out = actions.send_chat(seat, "hello")
        message = ChatMessage.objects.get(room=created.room)
        assert message.to_interviewers == (not can.visible) == (role == "observer")
        event = RoomEvent.objects.get(room=created.room, type="chat")
        to = {"to": "interviewers"} if message.to_interviewers else {}
        assert event.data == {"message": message.id, "text": "hello", **to}
        assert (event.seq, event.actor_id, event.at) == (seq + 1, seat.id, message.at)
        assert Room.objects.get(id=created.room.id).event_seq == seq + 1
        payload = out.frames[0][1]["message"]
        assert payload["id"] == message.id and payload["role"] == role
        assert ("to" in payload) == message.to_interviewers
    else:
        with pytest.raises(actions.Forbidden) as refused:
            actions.send_chat(seat, "hello")
        why = "this seat is no longer valid" if not can.enter else "the room has ended"
        assert refused.value.message == why
        assert not ChatMessage.objects.exists()
        assert not RoomEvent.objects.filter(room=created.room, type="chat").exists()
        assert Room.objects.get(id=created.room.id).event_seq == seq
