"""No interviewer-only field of any bank question reaches a candidate or an observer."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from questions.models import Question
from rooms import actions
from rooms.live import INTERVIEWERS, NOT_INTERVIEWERS
from rooms.serializers import INTERVIEWER_ONLY_KEYS, room_state_for

pytestmark = pytest.mark.django_db


def texts(value: Any) -> list[str]:
    """Every string inside a field's value (lists, rubric levels, test cases)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in texts(item)]
    return []


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys(item)}
    return set()


def secrets(question: Question) -> list[str]:
    # Short strings ("Weak", "Solid") are rubric labels that may occur in any text.
    return [
        text.strip()
        for key in INTERVIEWER_ONLY_KEYS
        for text in texts(getattr(question, key))
        if len(text.strip()) >= 12
    ]


def test_showing_every_bank_question_leaks_nothing_to_candidate_or_observer():
    call_command("load_questions", verbosity=0)
    made = actions.create_room(User.objects.create_user("alice"), "Leak check")
    interviewer = made.seats["interviewer"]
    checked = 0
    # Every kind of interviewer-only field is in the bank, so each is checked on real text.
    questions = list(Question.objects.order_by("id"))
    # The answers and what comes next are among them, whatever else is added later.
    assert {"solution", "wrong_solutions", "hidden_tests", "steps"} <= set(INTERVIEWER_ONLY_KEYS)
    for key in INTERVIEWER_ONLY_KEYS:
        assert any(getattr(question, key) for question in questions), key
    for question in questions:
        out = actions.show_question(interviewer, question.id)
        frames = {
            audience: frame for audience, frame in out.frames if frame["type"] == "question.shown"
        }
        # The interviewer does get the guidance: the check below is not checking nothing.
        assert frames[INTERVIEWERS]["question"]["guidance"] == question.guidance
        seen = [
            frames[NOT_INTERVIEWERS],
            room_state_for(made.seats["candidate"]),
            room_state_for(made.seats["observer"]),
        ]
        for payload in seen:
            assert payload.get("question", payload).get("slug") == question.slug
            assert not keys(payload) & set(INTERVIEWER_ONLY_KEYS), question.slug
            text = json.dumps(payload, ensure_ascii=False)
            leaked = [secret[:60] for secret in secrets(question) if secret in text]
            assert leaked == [], question.slug
        checked += 1
    assert checked >= 60


def inside(value: str, text: str) -> bool:
    """Whether a string is in a JSON text (where its newlines and quotes are escaped)."""
    return json.dumps(value, ensure_ascii=False)[1:-1] in text


def test_revealing_steps_shows_candidates_those_steps_and_nothing_later():
    """Multi-step exercises: a revealed step's title, prompt and examples reach candidates and
    observers; a later step, and any step's solution and hidden tests, never do."""
    call_command("load_questions", verbosity=0)
    made = actions.create_room(User.objects.create_user("alice"), "Step leak check")
    interviewer = made.seats["interviewer"]
    exercises = list(Question.objects.filter(tags__contains=["multi-step"]).order_by("id"))
    assert len(exercises) >= 2 and all(len(q.steps) >= 2 for q in exercises)
    for question in exercises:
        out = actions.show_question(interviewer, question.id)
        for step in range(1, len(question.steps) + 2):
            if step > 1:
                out = actions.set_step(interviewer, question.id, step)
            frames = [frame for audience, frame in out.frames if audience == NOT_INTERVIEWERS]
            seen = [
                *frames,
                room_state_for(made.seats["candidate"]),
                room_state_for(made.seats["observer"]),
            ]
            revealed = question.steps[: step - 1]
            later = question.steps[step - 1 :]
            never = [
                *(text for s in later for text in (s["title"], s["prompt"])),
                *texts([s["solution"] for s in question.steps]),
                *texts([s["hidden_tests"] for s in question.steps]),
                *texts([s.get("visible_tests", []) for s in later]),
            ]
            for payload in seen:
                assert payload["question"]["step"] == step
                assert not keys(payload) & set(INTERVIEWER_ONLY_KEYS), question.slug
                text = json.dumps(payload, ensure_ascii=False)
                for shown in revealed:  # the check below is not checking nothing
                    assert inside(shown["title"], text) and inside(shown["prompt"], text)
                leaked = [
                    secret.strip()[:60]
                    for secret in never
                    if len(secret.strip()) >= 6 and inside(secret.strip(), text)
                ]
                assert leaked == [], (question.slug, step)
        # The interviewer hears of each step with everything of it.
        mine = [frame for audience, frame in out.frames if audience == INTERVIEWERS]
        assert mine[0]["question"]["steps"] == question.steps
