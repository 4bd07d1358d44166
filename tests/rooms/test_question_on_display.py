import pytest
from django.utils import timezone

from rooms import actions
from rooms.live import INTERVIEWERS, NOT_INTERVIEWERS
from rooms.models import RoomEvent, RoomQuestion
from rooms.serializers import INTERVIEWER_ONLY_KEYS, question_for_role, room_state_for
from tests.rooms.conftest import SECRET


def events(room, *types):
    qs = RoomEvent.objects.filter(room=room)
    if types:
        qs = qs.filter(type__in=types)
    return list(qs.values_list("type", "data"))


def test_interviewer_shows_a_plan_question(room, bank):
    interviewer = room.seats["interviewer"]
    out = actions.show_question(interviewer, bank[1].id)
    room.room.refresh_from_db()
    assert room.room.current_item.question == bank[1]
    assert room.room.current_item.shown_at is not None
    assert events(room.room, "question.shown") == [
        (
            "question.shown",
            {"question": bank[1].id, "title": "Fizz Buzz", "text": f"q-{bank[1].id}"},
        )
    ]
    frames = dict(
        (audience, frame) for audience, frame in out.frames if frame["type"] == "question.shown"
    )
    assert frames[INTERVIEWERS]["question"]["solution"] == f"{SECRET} solution"
    assert SECRET not in str(frames[NOT_INTERVIEWERS])


def test_showing_a_bank_question_adds_it_to_the_plan(room, bank):
    actions.show_question(room.seats["interviewer"], "lru-cache")
    item = RoomQuestion.objects.get(room=room.room, question=bank[2])
    assert item.position == 3
    assert [t for t, _ in events(room.room, "plan.added", "question.shown")] == [
        "plan.added",
        "question.shown",
    ]


@pytest.mark.parametrize("role", ["candidate", "observer"])
def test_candidate_and_observer_cannot_change_the_question(room, bank, role):
    with pytest.raises(actions.Forbidden):
        actions.show_question(room.seats[role], bank[0].id)
    room.room.refresh_from_db()
    assert room.room.current_item is None
    assert events(room.room, "question.shown") == []


def test_unknown_question_is_not_found_and_changes_nothing(room):
    with pytest.raises(actions.NotFound):
        actions.show_question(room.seats["interviewer"], 999999)
    with pytest.raises(actions.Invalid):
        actions.show_question(room.seats["interviewer"], {"id": 1})
    assert room.room.plan.count() == 2
    assert events(room.room, "question.shown", "plan.added") == []


def test_pair_participants_both_control_the_question(pair_room, bank):
    actions.show_question(pair_room.seats["candidate"], bank[0].id)
    pair_room.room.refresh_from_db()
    assert pair_room.room.current_item.question == bank[0]
    with pytest.raises(actions.Forbidden):
        actions.show_question(pair_room.seats["observer"], bank[1].id)


def test_question_payload_hides_interviewer_only_keys_from_candidates(room, bank):
    item = room.room.plan.select_related("question__category").first()
    candidate_view = question_for_role(item, "candidate")
    observer_view = question_for_role(item, "observer")
    interviewer_view = question_for_role(item, "interviewer")
    for key in ("id", "title", "prompt", "category", "difficulty", "language", "text"):
        assert key in candidate_view
    assert candidate_view["text"] == item.text_name
    for key in INTERVIEWER_ONLY_KEYS:
        assert key not in candidate_view and key not in observer_view
        assert key in interviewer_view
    assert SECRET not in str(candidate_view) + str(observer_view)


def test_room_state_gives_interviewers_plan_notes_and_scores_only(room, bank):
    interviewer = room.seats["interviewer"]
    actions.show_question(interviewer, bank[0].id)
    actions.save_notes(interviewer, "strong start")
    actions.save_score(interviewer, bank[0].id, 3, None, "clean")
    full = room_state_for(interviewer)
    assert [item["id"] for item in full["plan"]] == [bank[0].id, bank[1].id]
    assert full["notes"] == "strong start"
    assert full["scores"][0]["rating"] == 3
    for role in ("candidate", "observer"):
        state = room_state_for(room.seats[role])
        assert not {"plan", "notes", "scores"} & set(state)
        assert state["question"]["title"] == "Two Sum"
        assert SECRET not in str(state) and "strong start" not in str(state)


@pytest.mark.django_db(transaction=True)
def test_first_showing_puts_the_starter_code_in_the_document_once(room, bank):
    from editor.documents import code_now
    from editor.models import DocUpdate

    interviewer = room.seats["interviewer"]
    out = actions.show_question(interviewer, bank[0].id)
    text = f"q-{bank[0].id}"
    assert out.texts == [(text, bank[0].starter_code)]
    assert code_now(room.room.id, [text]) == {text: bank[0].starter_code}
    actions.show_question(interviewer, bank[1].id)
    actions.show_question(interviewer, bank[0].id)  # back to the first question
    assert code_now(room.room.id, [text]) == {text: bank[0].starter_code}
    assert DocUpdate.objects.filter(room_id=room.room.id).count() == 2  # one per question


@pytest.mark.django_db(transaction=True)
def test_starter_code_never_overwrites_what_someone_typed_first(room, bank):
    from pycrdt import Doc, Text

    from editor.documents import code_now
    from editor.models import DocUpdate

    text = f"q-{bank[0].id}"
    typed = Doc()
    typed.get(text, type=Text).insert(0, "# my own start")
    DocUpdate.objects.create(
        room_id=room.room.id, at=timezone.now(), seat_id=None, data=typed.get_update()
    )
    actions.show_question(room.seats["interviewer"], bank[0].id)
    assert code_now(room.room.id, [text]) == {text: "# my own start"}
