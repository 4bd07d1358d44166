"""The question on display: any question of the bank, appended to the plan when first shown;
its starter code put into the shared editor once, by the server; a multi-step exercise's
steps revealed one by one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from questions.models import Question
from rooms import serializers as s
from rooms.actions.base import Invalid, NotFound, actor, require, text, whole_number
from rooms.actions.broadcast import on_commit
from rooms.events import record_event
from rooms.live import INTERVIEWERS, Outbound
from rooms.models import RoomQuestion


def find_question(ref: Any) -> Question:
    """A bank question by id or slug."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        question = Question.objects.filter(id=ref).first()
    elif isinstance(ref, str) and ref:
        question = Question.objects.filter(slug=text(ref, "question", 100)).first()
    else:
        raise Invalid("question must be a question id or slug")
    if question is None:
        raise NotFound("no such question")
    return question


@transaction.atomic
def show_question(seat: Any, ref: Any) -> Outbound:
    """Put a question on display; a bank question not in the plan is appended to it first."""
    seat, can = actor(seat)
    require(can.control, "only interviewers may control the question and the timer")
    question = find_question(ref)
    room = seat.room
    item = RoomQuestion.objects.filter(room=room, question=question).first()
    if item is None:
        last = room.plan.aggregate(last=Max("position"))["last"] or 0
        item = RoomQuestion.objects.create(
            room=room, question=question, position=last + 1, minutes=question.expected_minutes
        )
        record_event(
            room.id, "plan.added", {"question": question.id, "title": question.title}, actor=seat
        )
    if item.shown_at is None:
        item.shown_at = timezone.now()
        item.save(update_fields=["shown_at"])
    room.current_item = item
    room.save(update_fields=["current_item"])
    record_event(
        room.id,
        "question.shown",
        {"question": question.id, "title": question.title, "text": item.text_name},
        actor=seat,
    )
    item = RoomQuestion.objects.select_related("question__category").get(id=item.id)
    # The starter code goes into the document by the server, once (never if anybody typed in
    # that text before): two browsers racing to insert it would double it.
    out = Outbound(texts=[(item.text_name, question.starter_code)] if question.starter_code else [])
    out.per_role(
        lambda role: {"type": "question.shown", "question": s.question_for_role(item, role)}
    )
    out.to(INTERVIEWERS, {"type": "plan", "plan": s.plan_payload(room)})
    return on_commit(room.id, out)


@transaction.atomic
def set_step(seat: Any, ref: Any, step: Any) -> Outbound:
    """Move a multi-step exercise to `step`: reveal the next requirement (or go back one).

    Only the question on display: its candidates then see the steps up to this one, and Run
    tests checks all their tests (rooms.actions.runs)."""
    seat, can = actor(seat)
    require(can.interviewer, "only interviewers may reveal a question's steps")
    require(can.control, "the room has ended")
    question = find_question(ref)
    room = seat.room
    item = RoomQuestion.objects.filter(room=room, question=question).first()
    if item is None:
        raise NotFound("that question is not in this room")
    if not question.steps:
        raise Invalid(f"{question.title} has no steps")
    if item.id != room.current_item_id:
        raise Invalid("only the question on display can move to another step: show it first")
    step = whole_number(step, "step", 1, len(question.steps) + 1)
    if step == item.step:
        raise Invalid(f"{question.title} is already at step {step}")
    before, item.step = item.step, step
    item.save(update_fields=["step"])
    record_event(
        room.id,
        "question.step",
        {
            "question": question.id,
            "title": question.title,
            "step": step,
            "from": before,
            # Step 1 is the question's own prompt; later ones have a title of their own.
            "step_title": question.steps[step - 2].get("title", "") if step > 1 else "",
        },
        actor=seat,
    )
    item = RoomQuestion.objects.select_related("question__category").get(id=item.id)
    out = Outbound().per_role(
        lambda role: {"type": "question.step", "question": s.question_for_role(item, role)}
    )
    return on_commit(room.id, out)
