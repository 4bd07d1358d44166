"""The one role-filtered serializer: what each role may see of a room.

Every frame, page, API response and export builds its room and question data here, so the
rule "candidates and observers never see interviewer-only data" lives in one place.
"""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from editor import documents
from questions.search import PADS
from rooms.models import ChatMessage, Connection, Note, Room, RoomEvent, RoomQuestion, Score, Seat

# A connection counts as online while its process refreshed it this recently (see consumers).
FRESH = timedelta(seconds=60)
RECENT_CHAT = 100

# Keys of a question that only interviewers may ever receive.
INTERVIEWER_ONLY_KEYS = (
    "guidance",
    "rubric",
    "hints",
    "solution",
    "wrong_solutions",
    "hidden_tests",
    "steps",
    "follow_ups",
    "red_flags",
)


def is_interviewer(role: str) -> bool:
    return role == Seat.Role.INTERVIEWER


def ms(instant: datetime | None) -> int | None:
    return None if instant is None else int(instant.timestamp() * 1000)


def server_time() -> int:
    return int(timezone.now().timestamp() * 1000)


def question_for_role(item: RoomQuestion, role: str) -> dict[str, Any]:
    """A plan question as `role` may see it; `id` is the bank question's id."""
    question = item.question
    payload: dict[str, Any] = {
        "id": question.id,
        "slug": question.slug,
        "title": question.title,
        "prompt": question.prompt,
        "category": question.category.name,
        "difficulty": question.difficulty,
        "language": question.language,
        "text": item.text_name,
        "starter_code": question.starter_code,
        "setup_sql": question.setup_sql,  # the schema and data an SQL question runs against
        "visible_tests": question.visible_tests,
        "minutes": item.minutes,
        "step": item.step,
    }
    if is_interviewer(role):
        for key in INTERVIEWER_ONLY_KEYS:
            payload[key] = getattr(question, key)
    else:
        payload["revealed_steps"] = revealed_steps(question.steps, item.step)
    return payload


def revealed_steps(steps: list[dict[str, Any]], step: int) -> list[dict[str, Any]]:
    """A multi-step exercise's steps 2..`step` as candidates see them: what to do and its
    examples; never a later step, a solution or a hidden test."""
    return [
        {
            "title": later.get("title", ""),
            "prompt": later.get("prompt", ""),
            "visible_tests": later.get("visible_tests", []),
        }
        for later in steps[: step - 1]
    ]


def timer_payload(room: Room, now: datetime | None = None) -> dict[str, Any]:
    """The server-authoritative timer; clients draw it from this plus their clock offset."""
    now = now or timezone.now()
    return {
        "status": room.timer_status,
        "duration_ms": room.timer_duration_ms,
        "elapsed_ms": room.elapsed_ms(now),
        "server_time": ms(now),
    }


def seat_payload(seat: Seat) -> dict[str, Any]:
    return {"seat": seat.id, "role": seat.role, "name": seat.name}


def sees_observers(role: str) -> bool:
    """Observers are silent: a candidate never learns that someone is watching."""
    return role != Seat.Role.CANDIDATE


def presence_payload(seat: Seat) -> dict[str, Any]:
    """One seat with its online state (a fresh connection) and whether its tab is in front."""
    since = timezone.now() - FRESH
    fresh = list(
        Connection.objects.filter(seat=seat, last_seen__gte=since).values_list("focused", flat=True)
    )
    return {**seat_payload(seat), "online": bool(fresh), "focused": any(fresh), "tabs": len(fresh)}


def participants(room: Room, role: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every live seat of the room that `role` may see, with its online state and focus."""
    since = (now or timezone.now()) - FRESH
    fresh: dict[int, bool] = {}
    tabs: dict[int, int] = {}  # open connections per seat: two tabs on one seat are noted
    for seat_id, focused in Connection.objects.filter(
        seat__room=room, last_seen__gte=since
    ).values_list("seat_id", "focused"):
        fresh[seat_id] = fresh.get(seat_id, False) or focused
        tabs[seat_id] = tabs.get(seat_id, 0) + 1
    seats = room.seats.filter(revoked_at__isnull=True).order_by("id")
    if not sees_observers(role):
        seats = seats.exclude(role=Seat.Role.OBSERVER)
    return [
        {
            **seat_payload(seat),
            "online": seat.id in fresh,
            "focused": fresh.get(seat.id, False),
            "tabs": tabs.get(seat.id, 0),
        }
        for seat in seats
    ]


def chat_payload(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "seat": message.seat_id,
        "name": message.seat.name,
        "role": message.seat.role,
        "text": message.text,
        "at": ms(message.at),
        **({"to": "interviewers"} if message.to_interviewers else {}),
    }


def recent_chat(room: Room, role: str) -> list[dict[str, Any]]:
    chat = room.chat.select_related("seat")
    if not sees_observers(role):
        chat = chat.filter(to_interviewers=False)
    messages = list(chat.order_by("-at", "-id")[:RECENT_CHAT])
    return [chat_payload(message) for message in reversed(messages)]


def plan_payload(room: Room) -> list[dict[str, Any]]:
    """The room's question plan (interviewers only): order, time boxes, what was shown."""
    return [
        {
            "id": item.question_id,
            "slug": item.question.slug,
            "title": item.question.title,
            "category": item.question.category.name,
            "difficulty": item.question.difficulty,
            "position": item.position,
            "minutes": item.minutes,
            "shown": item.shown_at is not None,
            "current": item.id == room.current_item_id,
            "rubric": item.question.rubric,
            # Written in the room and not yet saved to the bank (rooms.actions.pads).
            "pad": item.question.category.slug == PADS,
        }
        for item in room.plan.select_related("question__category")
    ]


def note_payload(note: Note) -> dict[str, Any]:
    return {"seat": note.seat_id, "text": note.text, "updated_at": ms(note.updated_at)}


def score_payload(score: Score) -> dict[str, Any]:
    return {
        "seat": score.seat_id,
        "question": score.item.question_id if score.item else None,
        "rating": score.rating,
        "recommendation": score.recommendation or None,
        "comment": score.comment,
        "updated_at": ms(score.updated_at),
    }


def current_question(room: Room, role: str) -> dict[str, Any] | None:
    if room.current_item_id is None:
        return None
    item = RoomQuestion.objects.select_related("question__category").get(id=room.current_item_id)
    return question_for_role(item, role)


def room_payload(room: Room) -> dict[str, Any]:
    return {"id": room.id, "title": room.title, "status": room.status, "kind": room.kind}


def run_state(room: Room, role: str) -> dict[str, Any]:
    """Whether code can run, and the runs under way that this role may see: the room's, and
    for interviewers the hidden tests'."""
    from rooms.actions.runs import active_run, runner_status

    state = {"runner": runner_status(), "run": active_run(room, role)}
    if is_interviewer(role):
        state["hidden_run"] = active_run(room, role, "hidden")
    return state


def room_state_for(seat: Seat) -> dict[str, Any]:
    """The `room.state` frame for this seat: everything its role may see, nothing more."""
    room = Room.objects.get(id=seat.room_id)
    now = timezone.now()
    state: dict[str, Any] = {
        "type": "room.state",
        "you": seat_payload(seat),
        "room": room_payload(room),
        "participants": participants(room, seat.role, now),
        "question": current_question(room, seat.role),
        "timer": timer_payload(room, now),
        "chat": recent_chat(room, seat.role),
        "server_time": ms(now),
        **run_state(room, seat.role),
    }
    if is_interviewer(seat.role):
        if room.status == Room.Status.ENDED:
            state["summary"] = ended_summary(room)
        note = Note.objects.filter(room=room, seat=seat).first()
        state["plan"] = plan_payload(room)
        state["notes"] = note.text if note else ""
        state["scores"] = [
            score_payload(score)
            for score in Score.objects.filter(room=room, seat=seat).select_related("item")
        ]
    return state


def ended_summary(room: Room) -> dict[str, Any]:
    """What an ended room comes to, for its interviewers: how long, what was asked, signals."""
    duration_ms = None
    if room.started_at is not None and room.ended_at is not None:
        duration_ms = max(ms(room.ended_at) - ms(room.started_at), 0)  # type: ignore[operator]
    shown = room.plan.filter(shown_at__isnull=False).select_related("question").order_by("shown_at")
    events = RoomEvent.objects.filter(room=room)
    return {
        "duration_ms": duration_ms,
        "questions": [item.question.title for item in shown],
        "signals": {
            "pastes": events.filter(type="paste").count(),
            "focus_lost": events.filter(type="focus", data__focused=False).count(),
        },
        "chat": room.chat.count(),
    }


# --- review: transcript, scorecard, API (interviewers only; access is checked by the caller) --


def iso(instant: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC with milliseconds, e.g. 2026-11-25T10:00:00.000Z."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def candidate_names(room: Room) -> list[str]:
    return [
        seat.name for seat in room.seats.all() if seat.role == Seat.Role.CANDIDATE and seat.name
    ]


def room_summary(room: Room) -> dict[str, Any]:
    return {
        **room_payload(room),
        "created_at": iso(room.created_at),
        "started_at": iso(room.started_at),
        "ended_at": iso(room.ended_at),
        "candidates": candidate_names(room),
    }


def participant_record(seat: Seat) -> dict[str, Any]:
    return {**seat_payload(seat), "revoked": seat.revoked_at is not None}


def event_record(event: RoomEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": iso(event.at),
        "actor": event.actor_id,
        "type": event.type,
        "data": event.data,
    }


def question_code(item: RoomQuestion, code: str) -> dict[str, Any]:
    question = item.question
    return {
        "id": question.id,
        "title": question.title,
        "prompt": question.prompt,
        "text": item.text_name,
        "language": question.language,
        "code": code,
    }


def scorecard_question(item: RoomQuestion) -> dict[str, Any]:
    """A plan question with its rubric, for rating it."""
    question = question_for_role(item, Seat.Role.INTERVIEWER)
    return {
        "id": question["id"],
        "title": question["title"],
        "text": question["text"],
        "rubric": question["rubric"],
        "shown": item.shown_at is not None,
    }


def note_record(note: Note) -> dict[str, Any]:
    return {
        "seat": note.seat_id,
        "name": note.seat.name,
        "text": note.text,
        "updated_at": iso(note.updated_at),
    }


def score_record(score: Score) -> dict[str, Any]:
    return {
        **score_payload(score),
        "name": score.seat.name,
        "updated_at": iso(score.updated_at),
    }


def scorecard_for(seat: Seat) -> dict[str, Any]:
    """One interviewer's scorecard: the plan with each rubric, their ratings, their verdict."""
    scores = {
        score.item.question_id if score.item else None: score
        for score in Score.objects.filter(room_id=seat.room_id, seat=seat).select_related("item")
    }
    items = list(
        RoomQuestion.objects.filter(room_id=seat.room_id).select_related("question__category")
    )
    overall = scores.get(None)
    return {
        "seat": seat.id,
        "questions": [scorecard_question(item) for item in items],
        "ratings": [
            {
                "question": item.question_id,
                "rating": scores[item.question_id].rating,
                "comment": scores[item.question_id].comment,
                "updated_at": iso(scores[item.question_id].updated_at),
            }
            for item in items
            if item.question_id in scores
        ],
        "recommendation": (overall.recommendation or None) if overall else None,
        "comment": overall.comment if overall else "",
        "updated_at": iso(overall.updated_at) if overall else None,
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def update_log_payload(room: Room, with_checkpoints: bool = False) -> dict[str, Any]:
    """The whole update log with who sent each update, for replaying the room in a browser.

    Checkpoints (full states, each as large as the document) only when asked for: with the
    whole log at hand a browser builds its own, and an hour's worth would be most of the bytes.
    """
    checkpoints = documents.checkpoints(room.id) if with_checkpoints else []
    items = RoomQuestion.objects.filter(room=room).select_related("question")
    return {
        "started_at": ms(room.started_at),
        "ended_at": ms(room.ended_at),
        "updates": [
            {"id": u.id, "at": ms(u.at), "seat": u.seat_id, "data": _b64(u.data)}
            for u in documents.update_log(room.id)
        ],
        "checkpoints": [
            {"upto": c.upto, "at": ms(c.at), "data": _b64(bytes(c.data))} for c in checkpoints
        ],
        "seats": [
            {"id": seat.id, "role": seat.role, "name": seat.name}
            for seat in room.seats.order_by("id")
        ],
        "texts": [
            {
                "question": item.question_id,
                "title": item.question.title,
                "text": item.text_name,
                "language": item.question.language,
            }
            for item in items
        ],
    }
