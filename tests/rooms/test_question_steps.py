"""Revealing a multi-step exercise's next step: who may, what each role then sees, what is
refused, and how the transcript tells it."""

import pytest

from rooms import actions, transcript
from rooms.live import INTERVIEWERS, NOT_INTERVIEWERS
from rooms.models import RoomEvent, RoomQuestion
from rooms.serializers import room_state_for
from tests.rooms.conftest import SECRET, db_async, make_question

STEPS = [
    {
        "title": "Add expiry",
        "prompt": "Keys may expire after a TTL.",
        "solution": f"{SECRET} step-2 solution",
        "visible_tests": [{"name": "expiry example", "code": "assert True"}],
        "hidden_tests": [{"name": f"{SECRET} step-2 hidden", "code": "assert True"}],
    },
    {
        "title": "Add transactions",
        "prompt": "Nested begin, commit and rollback.",
        "solution": f"{SECRET} step-3 solution",
        "visible_tests": [{"name": "transactions example", "code": "assert True"}],
        "hidden_tests": [{"name": f"{SECRET} step-3 hidden", "code": "assert True"}],
    },
]
LATER = ("Add transactions", "Nested begin", "transactions example", SECRET)


@pytest.fixture
def stepped(room, bank):
    """A three-step exercise, on display."""
    question = make_question("kv-store", bank[0].category, steps=STEPS)
    actions.show_question(room.seats["interviewer"], question.id)
    return question


def frames_of(out, kind):
    return {audience: frame for audience, frame in out.frames if frame["type"] == kind}


def step_events(room):
    return list(RoomEvent.objects.filter(room=room, type="question.step").values_list("data"))


def test_revealing_step_two_shows_it_to_everyone_and_nothing_later(room, stepped):
    out = actions.set_step(room.seats["interviewer"], stepped.id, 2)
    assert RoomQuestion.objects.get(room=room.room, question=stepped).step == 2
    frames = frames_of(out, "question.step")
    mine = frames[INTERVIEWERS]["question"]
    assert mine["step"] == 2 and mine["steps"] == STEPS
    theirs = frames[NOT_INTERVIEWERS]["question"]
    seen = [theirs, room_state_for(room.seats["candidate"])["question"]]
    seen.append(room_state_for(room.seats["observer"])["question"])
    for question in seen:
        assert question["step"] == 2
        assert question["revealed_steps"] == [
            {
                "title": "Add expiry",
                "prompt": "Keys may expire after a TTL.",
                "visible_tests": STEPS[0]["visible_tests"],
            }
        ]
        assert not any(secret in str(question) for secret in LATER)
    assert step_events(room.room) == [
        (
            {
                "question": stepped.id,
                "title": stepped.title,
                "step": 2,
                "from": 1,
                "step_title": "Add expiry",
            },
        )
    ]


def test_going_back_hides_the_step_again(room, stepped):
    interviewer = room.seats["interviewer"]
    actions.set_step(interviewer, stepped.id, 3)
    candidate = room_state_for(room.seats["candidate"])["question"]
    assert [s["title"] for s in candidate["revealed_steps"]] == ["Add expiry", "Add transactions"]
    out = actions.set_step(interviewer, stepped.slug, 1)
    theirs = frames_of(out, "question.step")[NOT_INTERVIEWERS]["question"]
    assert theirs["step"] == 1 and theirs["revealed_steps"] == []
    assert "Add expiry" not in str(room_state_for(room.seats["candidate"]))


def test_the_transcript_says_which_step_was_revealed(room, stepped):
    interviewer = room.seats["interviewer"]
    actions.set_step(interviewer, stepped.id, 2)
    actions.set_step(interviewer, stepped.id, 1)
    text = transcript.render_markdown(transcript.build(room.room))
    assert "alice revealed step 2: Add expiry" in text
    assert f"alice went back to step 1 of “{stepped.title}”" in text


@pytest.mark.parametrize("role", ["candidate", "observer"])
def test_only_interviewers_reveal_steps(room, stepped, role):
    with pytest.raises(actions.Forbidden, match="only interviewers"):
        actions.set_step(room.seats[role], stepped.id, 2)
    assert RoomQuestion.objects.get(room=room.room, question=stepped).step == 1
    assert step_events(room.room) == []


def test_the_candidate_of_a_pair_room_may_not_reveal_steps(pair_room, bank):
    question = make_question("kv-pair", bank[0].category, steps=STEPS)
    actions.show_question(pair_room.seats["candidate"], question.id)
    with pytest.raises(actions.Forbidden, match="only interviewers"):
        actions.set_step(pair_room.seats["candidate"], question.id, 2)
    actions.set_step(pair_room.seats["interviewer"], question.id, 2)


def test_an_ended_room_refuses(room, stepped):
    actions.end_room(room.seats["interviewer"])
    with pytest.raises(actions.Forbidden, match="ended"):
        actions.set_step(room.seats["interviewer"], stepped.id, 2)
    assert RoomQuestion.objects.get(room=room.room, question=stepped).step == 1


@pytest.mark.parametrize("step", [0, 4, -1, "2", 2.0, True, None])
def test_a_step_out_of_range_is_refused(room, stepped, step):
    with pytest.raises(actions.Invalid, match="from 1 to 3"):
        actions.set_step(room.seats["interviewer"], stepped.id, step)
    assert step_events(room.room) == []


def test_refused_questions_change_nothing(room, bank, stepped):
    interviewer = room.seats["interviewer"]
    # A question without steps says so, on display or not.
    for plain in bank[:2]:
        plain.steps = []
        plain.save()
    actions.show_question(interviewer, bank[0].id)
    with pytest.raises(actions.Invalid, match="Two Sum has no steps"):
        actions.set_step(interviewer, bank[0].id, 2)
    with pytest.raises(actions.Invalid, match="Fizz Buzz has no steps"):
        actions.set_step(interviewer, bank[1].id, 1)
    # A step of a question that is not on display would change what nobody sees.
    with pytest.raises(actions.Invalid, match="on display"):
        actions.set_step(interviewer, stepped.id, 2)
    with pytest.raises(actions.NotFound):
        actions.set_step(interviewer, 999999, 2)
    # Already there: nothing to reveal.
    actions.show_question(interviewer, stepped.id)
    with pytest.raises(actions.Invalid, match="already at step 1"):
        actions.set_step(interviewer, stepped.id, 1)
    assert step_events(room.room) == []
    assert set(RoomQuestion.objects.filter(room=room.room).values_list("step", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
async def test_over_the_control_channel(room, bank, clients):
    question = await db_async(make_question)("kv-live", bank[0].category, steps=STEPS)
    await db_async(actions.show_question)(room.seats["interviewer"], question.id)
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await candidate.send({"type": "question.step", "question": question.id, "step": 2})
    refused = await candidate.receive_type("error")
    assert refused["code"] == "forbidden" and refused["for"] == "question.step"
    assert "only interviewers" in refused["message"]
    await interviewer.send({"type": "question.step", "question": question.id, "step": 2})
    assert (await interviewer.receive_type("question.step"))["question"]["steps"] == STEPS
    frames = await candidate.drain()
    revealed = [f for f in frames if f["type"] == "question.step"]
    assert revealed[0]["question"]["revealed_steps"][0]["title"] == "Add expiry"
    assert not any(secret in str(frames) for secret in LATER)
