"""An interviewer's private notes (their author's alone) and scores (a rating per plan
question against its rubric, and an overall recommendation), kept after the room ends."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rooms import serializers as s
from rooms.actions.base import Invalid, NotFound, actor, require, text, whole_number
from rooms.actions.broadcast import on_commit
from rooms.actions.questions import find_question
from rooms.events import record_event
from rooms.live import INTERVIEWERS, Outbound, only
from rooms.models import Note, Score, Seat

NOTES_MAX_CHARS = 50_000
COMMENT_MAX_CHARS = 10_000
RATINGS = range(1, 5)  # 1 Weak, 2 Mixed, 3 Solid, 4 Excellent: the bank's rubric levels


@transaction.atomic
def save_notes(seat: Seat, notes: Any) -> Outbound:
    """An interviewer's private notes: only their author ever sees them (a co-interviewer,
    or the peer of a pair room after a role swap, does not)."""
    notes = text(notes, "text", NOTES_MAX_CHARS)
    seat, can = actor(seat)
    require(can.interviewer, "only interviewers may do that")
    note, _ = Note.objects.update_or_create(room=seat.room, seat=seat, defaults={"text": notes})
    record_event(seat.room_id, "notes.saved", {"seat": seat.id, "chars": len(notes)}, actor=seat)
    frame = {"type": "notes.saved", "note": s.note_payload(note)}
    return on_commit(seat.room_id, Outbound().to(only(seat.id), frame))


@transaction.atomic
def save_score(
    seat: Seat,
    question: Any = None,
    rating: Any = None,
    recommendation: Any = None,
    comment: Any = "",
) -> Outbound:
    """Rate one plan question (`question` + `rating`), or the overall `recommendation`."""
    comment = text(comment if comment is not None else "", "comment", COMMENT_MAX_CHARS)
    seat, can = actor(seat)
    require(can.interviewer, "only interviewers may do that")
    item = None
    if question is not None:
        item = seat.room.plan.filter(question=find_question(question)).first()
        if item is None:
            raise NotFound("that question is not in this room's plan")
        if recommendation is not None:
            raise Invalid("a recommendation is overall: send it without a question")
        if rating is not None:
            rating = whole_number(rating, "rating", RATINGS.start, RATINGS.stop - 1)
        values: dict[str, Any] = {"rating": rating, "comment": comment}
    else:
        if rating is not None:
            raise Invalid("a rating belongs to a question: send it with one")
        if recommendation is not None and recommendation not in Score.Recommendation.values:
            raise Invalid(f"recommendation must be one of {', '.join(Score.Recommendation.values)}")
        values = {"recommendation": recommendation or "", "comment": comment}
    score, _ = Score.objects.update_or_create(room=seat.room, seat=seat, item=item, defaults=values)
    score = Score.objects.select_related("item").get(id=score.id)
    payload = s.score_payload(score)
    record_event(
        seat.room_id,
        "score.saved",
        {k: v for k, v in payload.items() if k != "updated_at"},
        actor=seat,
    )
    frame = {"type": "score.saved", "score": payload}
    return on_commit(seat.room_id, Outbound().to(INTERVIEWERS, frame))


def _unchanged(score: Score | None, rating: Any, recommendation: Any, comment: Any) -> bool:
    """The stored score already says exactly this (strict types: True is not the rating 1)."""
    if type(rating) not in (int, type(None)) or not isinstance(comment, str):
        return False
    if score is None:  # nothing stored and nothing given: no empty row, no event
        return rating is None and recommendation is None and comment == ""
    return (score.rating, score.recommendation or None, score.comment) == (
        rating,
        recommendation or None,
        comment,
    )


@transaction.atomic
def save_scorecard(
    seat: Seat, ratings: Any, recommendation: Any = None, comment: Any = ""
) -> Outbound:
    """The whole scorecard at once: a rating per question and the overall recommendation.

    All or nothing: one bad entry refuses the lot. Entries equal to what is stored are skipped,
    so a page that saves the whole card often records only what changed.
    """
    if not isinstance(ratings, list):
        raise Invalid("ratings must be a list of {question, rating, comment}")
    seat, can = actor(seat)
    require(can.interviewer, "only interviewers may do that")
    stored = {
        score.item.question_id if score.item else None: score
        for score in Score.objects.filter(room=seat.room, seat=seat).select_related("item")
    }
    out = Outbound()
    seen: set[int] = set()
    for entry in ratings:
        if not isinstance(entry, dict) or set(entry) - {"question", "rating", "comment"}:
            raise Invalid("each rating must be an object with question, rating and comment")
        question = whole_number(entry.get("question"), "question", 1, 2**62)
        if question in seen:
            raise Invalid(f"question {question} is rated twice")
        seen.add(question)
        rating, note = entry.get("rating"), entry.get("comment", "")
        if not _unchanged(stored.get(question), rating, None, note):
            out.extend(save_score(seat, question, rating, None, note))
    if not _unchanged(stored.get(None), None, recommendation, comment):
        out.extend(save_score(seat, None, None, recommendation, comment))
    return out
