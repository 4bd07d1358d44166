"""A multi-step exercise of the bank, run in the room's sandbox: Run tests and Run hidden tests
check every step revealed so far, and only those."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.core.management import call_command

from editor import documents
from questions.models import Question
from rooms import actions, transcript
from rooms.models import Room, RoomEvent
from tests.control_client import ControlClient
from tests.runs.conftest import finished
from tests.servers import DaphneServer

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "coding-multistep-key-value-store"


def room_with_code(title: str, code: str) -> tuple[Question, dict[str, str], str]:
    """A room showing the exercise, its editor holding `code` (typed before it was shown, so
    the starter code is not put in)."""
    question = Question.objects.get(slug=SLUG)
    made = actions.create_room(User.objects.get_or_create(username="alice")[0], title)
    assert documents.insert_text(made.room.id, f"q-{question.id}", code)
    actions.show_question(made.seats["interviewer"], question.id)
    return question, made.tokens, made.room.id


async def connect(
    server: DaphneServer, room_id: str, tokens: dict[str, str], role: str
) -> ControlClient:
    url = f"{server.ws_url}/ws/rooms/{room_id}/?token={tokens[role]}"
    return await ControlClient(url).connect()


async def run(client: ControlClient, question: Question, mode: str) -> dict[str, Any]:
    """Run this mode's tests and return the result (names -> passed)."""
    await client.send({"type": "code.run", "question": question.id, "mode": mode})
    started = await client.next("run.started", mode=mode)
    return (await finished(client, started["run"]))["tests"]


def results(tests: dict[str, Any]) -> dict[str, bool]:
    return {r["name"]: r["ok"] for r in tests["results"]}


def names(tests: list[dict[str, Any]]) -> set[str]:
    return {test["name"] for test in tests}


def recorded_runs(room_id: str) -> tuple[list[int | None], list[str]]:
    """The steps on the room's run events, and the Markdown transcript's run headings."""
    events = RoomEvent.objects.filter(room_id=room_id, type="run").order_by("seq")
    markdown = transcript.render_markdown(transcript.build(Room.objects.get(id=room_id)))
    runs = markdown.split("## Runs", 1)[1]
    return [event.data["step"] for event in events], [
        line for line in runs.splitlines() if line.startswith("### ")
    ]


@pytest.fixture
def bank(transactional_db):
    call_command("load_questions", "questions/bank/coding.yaml", verbosity=0)
    return Question.objects.get(slug=SLUG)


async def test_run_tests_check_every_revealed_step(bank, local_server):
    step_two = bank.steps[0]
    question, tokens, room_id = await database_sync_to_async(room_with_code)(
        "Step one's code", bank.solution
    )
    interviewer = await connect(local_server, room_id, tokens, "interviewer")
    candidate = await connect(local_server, room_id, tokens, "candidate")
    # Step 1: the step-1 solution passes step 1's hidden tests, none of a later step's.
    before = results(await run(interviewer, question, "hidden"))
    assert set(before) == names(bank.hidden_tests) and all(before.values())
    await interviewer.send({"type": "question.step", "question": question.id, "step": 2})
    await candidate.next("question.step")
    # Step 2 revealed: the candidate's Run tests has step 2's examples too...
    visible = results(await run(candidate, question, "tests"))
    assert set(visible) == names(bank.visible_tests) | names(step_two["visible_tests"])
    # ...and the hidden tests catch that the step-1 code does not do step 2.
    after = results(await run(interviewer, question, "hidden"))
    assert set(after) == names(bank.hidden_tests) | names(step_two["hidden_tests"])
    failed = {name for name, ok in after.items() if not ok}
    assert failed and failed <= names(step_two["hidden_tests"])
    # Back at step 1, step 2's tests are not run any more.
    await interviewer.send({"type": "question.step", "question": question.id, "step": 1})
    await interviewer.next("question.step")
    assert set(results(await run(interviewer, question, "hidden"))) == names(bank.hidden_tests)
    await interviewer.disconnect()
    await candidate.disconnect()
    # The record says which step each run checked: the review and the exports read it.
    steps, headings = await database_sync_to_async(recorded_runs)(room_id)
    assert steps == [1, 2, 2, 1]
    assert [heading.split("”")[1].split(":")[0] for heading in headings] == [
        " (step 1)",
        " (step 2)",
        " (step 2)",
        " (step 1)",
    ]


async def test_the_step_two_solution_passes_everything_up_to_step_two(bank, local_server):
    question, tokens, room_id = await database_sync_to_async(room_with_code)(
        "Step two's code", bank.steps[0]["solution"]
    )
    interviewer = await connect(local_server, room_id, tokens, "interviewer")
    await interviewer.send({"type": "question.step", "question": question.id, "step": 2})
    await interviewer.next("question.step")
    tests = await run(interviewer, question, "hidden")
    expected = names(bank.hidden_tests) | names(bank.steps[0]["hidden_tests"])
    assert set(results(tests)) == expected and tests["failed"] == 0
    # Step 3 is not revealed: its hidden tests did not run (the step-2 code would fail them).
    assert not names(bank.steps[1]["hidden_tests"]) & set(results(tests))
    await interviewer.disconnect()
