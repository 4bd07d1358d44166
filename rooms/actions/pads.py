"""Blank pads: a question written on the spot, in the room, without the admin.

A pad is a question of its own (title, prompt in Markdown, language) kept out of the bank's
search until someone saves it there: it lives in the `room-pads` category, and saving moves it
to `custom` ("Custom questions"), where the picker finds it like any bank question.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from questions.models import Category, Question
from questions.search import PADS
from rooms import serializers as s
from rooms.actions.base import Invalid, NotFound, actor, require, text
from rooms.actions.broadcast import on_commit
from rooms.actions.questions import show_question
from rooms.events import record_event
from rooms.live import INTERVIEWERS, Outbound
from rooms.models import RoomQuestion

PAD_LANGUAGES = ("python", "sql", "javascript", "typescript", "text")
PROMPT_MAX_CHARS = 20_000
SAVED = "custom"


def _category(slug: str, name: str) -> Category:
    category, _ = Category.objects.get_or_create(
        slug=slug, defaults={"name": name, "position": 900}
    )
    return category


@transaction.atomic
def create_pad(seat: Any, title: Any, language: Any, prompt: Any = "") -> Outbound:
    """A new pad, shown at once to everyone (and added to the plan)."""
    title = text(title, "title", 200, allow_empty=False).strip()
    prompt = text(prompt if prompt is not None else "", "prompt", PROMPT_MAX_CHARS).strip()
    if language not in PAD_LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(PAD_LANGUAGES)}")
    seat, can = actor(seat)
    require(can.control, "only interviewers may open a pad")
    question = Question.objects.create(
        slug=f"pad-{secrets.token_hex(6)}",
        title=title,
        prompt=prompt or "Write your answer in the editor.",
        category=_category(PADS, "Pads"),
        difficulty=Question.Difficulty.MEDIUM,
        language=language,
    )
    return show_question(seat, question.id)


@transaction.atomic
def save_pad(seat: Any, question_ref: Any) -> Outbound:
    """Keep a pad of this room in the bank, where the picker finds it."""
    seat, can = actor(seat)
    require(can.interviewer, "only interviewers may save a pad to the bank")
    if isinstance(question_ref, bool) or not isinstance(question_ref, int):
        raise Invalid("question must be a question id")
    item = (
        RoomQuestion.objects.select_related("question")
        .filter(room_id=seat.room_id, question_id=question_ref, question__category__slug=PADS)
        .first()
    )
    if item is None:
        raise NotFound("no pad of this room has that id")
    question = item.question
    question.category = _category(SAVED, "Custom questions")
    question.save(update_fields=["category"])
    record_event(
        seat.room_id, "pad.saved", {"question": question.id, "title": question.title}, actor=seat
    )
    out = Outbound().to(INTERVIEWERS, {"type": "plan", "plan": s.plan_payload(seat.room)})
    return on_commit(seat.room_id, out)
