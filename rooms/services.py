"""Every change to a room: one plain function per state change.

Each function checks who may do it, writes the change and its transcript event in ONE
transaction, and returns an `Outbound`: the frames to broadcast once the change is committed.
Consumers, views, management commands and tests all call these functions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from editor.store import insert_starter_code
from questions.models import Question, Template
from rooms import serializers as s
from rooms.events import record_event
from rooms.models import ChatMessage, Connection, Note, Room, RoomQuestion, Score, Seat
from rooms.seats import create_seat, seat_is_usable

CHAT_MAX_CHARS = 2000
NOTES_MAX_CHARS = 50_000
COMMENT_MAX_CHARS = 10_000
NAME_MAX_CHARS = 80
TIMER_MAX_S = 6 * 3600
RATINGS = range(1, 5)  # 1 = strong no ... 4 = strong yes, like the recommendation

# Who receives a frame: everyone, interviewers only, or everyone who is not an interviewer.
Audience = Literal["all", "interviewers", "others"]


class RoomError(Exception):
    """A refused action; `code` is the error frame's code. Nothing was changed."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(RoomError):
    code = "invalid"


class Forbidden(RoomError):
    code = "forbidden"


class NotFound(RoomError):
    code = "not_found"


@dataclass
class Outbound:
    """What to broadcast after commit. `refresh` asks every connection to reload its seat."""

    frames: list[tuple[Audience, dict[str, Any]]] = field(default_factory=list)
    refresh: bool = False
    # Stored Yjs updates made by the server (starter code) for the document channel to relay.
    doc_updates: list[bytes] = field(default_factory=list)

    def to(self, audience: Audience, frame: dict[str, Any]) -> "Outbound":
        self.frames.append((audience, frame))
        return self

    def per_role(self, build: Any) -> "Outbound":
        """One frame for interviewers and one for everyone else, built by the serializer."""
        self.to("interviewers", build(Seat.Role.INTERVIEWER))
        return self.to("others", build(Seat.Role.CANDIDATE))


@dataclass
class CreatedRoom:
    room: Room
    seats: dict[str, Seat]
    tokens: dict[str, str]


# --- who may do what (the one place for these rules) -------------------------------------


def _actor(seat: Seat) -> Seat:
    """Reload the acting seat with its room row locked; dead seats may do nothing."""
    room = Room.objects.select_for_update().get(id=seat.room_id)
    fresh = Seat.objects.get(id=seat.id)
    fresh.room = room
    if not seat_is_usable(fresh):
        raise Forbidden("this seat is no longer valid")
    return fresh


def _require_live(seat: Seat) -> None:
    if seat.room.status == Room.Status.ENDED:
        raise Forbidden("the room has ended")


def _require_interviewer(seat: Seat) -> None:
    if seat.role != Seat.Role.INTERVIEWER:
        raise Forbidden("only interviewers may do that")


def can_control(seat: Seat) -> bool:
    """Question and timer control: interviewers; in a pair room, both participants."""
    if seat.role == Seat.Role.INTERVIEWER:
        return True
    return seat.room.kind == Room.Kind.PAIR and seat.role == Seat.Role.CANDIDATE


def _require_control(seat: Seat) -> None:
    _require_live(seat)
    if not can_control(seat):
        raise Forbidden("only interviewers may control the question and the timer")


def _int(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Invalid(f"{name} must be a whole number from {low} to {high}")
    return value


def _text(value: Any, name: str, max_chars: int, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string")
    if len(value) > max_chars:
        raise Invalid(f"{name} is longer than {max_chars} characters")
    if not allow_empty and not value.strip():
        raise Invalid(f"{name} must not be empty")
    return value


# --- rooms ----------------------------------------------------------------------------


@transaction.atomic
def create_room(
    owner: User,
    title: str = "",
    template_slug: str | None = None,
    kind: str | None = None,
) -> CreatedRoom:
    """A room with one interviewer, one candidate and one observer seat, planned from a template.

    Without a `kind`, the room is of the template's kind (a pair-practice set makes a pair room).
    """
    template = None
    if template_slug:
        template = Template.objects.filter(slug=template_slug).first()
        if template is None:
            raise NotFound(f"no template {template_slug!r}")
    if kind is None:
        kind = template.kind if template else Room.Kind.INTERVIEW
    if kind not in Room.Kind.values:
        raise Invalid(f"kind must be one of {', '.join(Room.Kind.values)}")
    room = Room.objects.create(
        title=title or (template.title if template else ""),
        kind=kind,
        owner=owner,
        template=template,
    )
    if template is not None:
        RoomQuestion.objects.bulk_create(
            RoomQuestion(room=room, question_id=item.question_id, position=i, minutes=item.minutes)
            for i, item in enumerate(template.items.order_by("position"), start=1)
        )
    seats: dict[str, Seat] = {}
    tokens: dict[str, str] = {}
    for role, name, user in (
        (Seat.Role.INTERVIEWER, owner.get_username(), owner),
        (Seat.Role.CANDIDATE, "", None),
        (Seat.Role.OBSERVER, "", None),
    ):
        seats[role], tokens[role] = create_seat(room, role, name, user)
    record_event(
        room.id, "room.created", {"title": room.title, "kind": kind, "template": template_slug}
    )
    return CreatedRoom(room=room, seats=seats, tokens=tokens)


def _start_if_scheduled(seat: Seat, out: Outbound) -> None:
    """The room goes live when its first interviewer or candidate arrives."""
    room = seat.room
    if room.status == Room.Status.SCHEDULED and seat.role != Seat.Role.OBSERVER:
        room.status = Room.Status.LIVE
        room.started_at = timezone.now()
        room.save(update_fields=["status", "started_at"])
        record_event(room.id, "room.started", {}, actor=seat)
        out.to("all", {"type": "room.started", "room": s.room_payload(room)})


@transaction.atomic
def end_room(seat: Seat) -> Outbound:
    """End the room: candidate and observer links die; interviewers keep notes and scores."""
    seat = _actor(seat)
    _require_live(seat)
    if not (seat.role == Seat.Role.INTERVIEWER or can_control(seat)):
        raise Forbidden("only interviewers may end the room")
    room = seat.room
    now = timezone.now()
    if room.timer_status == Room.Timer.RUNNING and room.timer_started_at:
        room.timer_elapsed_ms = s.timer_payload(room, now)["elapsed_ms"]
        room.timer_status = Room.Timer.PAUSED
        room.timer_started_at = None
    room.status = Room.Status.ENDED
    room.ended_at = now
    room.save()
    record_event(room.id, "room.ended", {}, actor=seat)
    return Outbound(refresh=True).to(
        "all", {"type": "room.ended", "room": s.room_payload(room), "by": seat.id}
    )


@transaction.atomic
def swap_roles(seat: Seat) -> Outbound:
    """Pair practice: the interviewer and the candidate trade places (and what they see)."""
    seat = _actor(seat)
    _require_live(seat)
    if seat.room.kind != Room.Kind.PAIR or not can_control(seat):
        raise Forbidden("roles can only be swapped by the pair of a pair-practice room")
    pair = list(
        seat.room.seats.filter(
            revoked_at__isnull=True, role__in=[Seat.Role.INTERVIEWER, Seat.Role.CANDIDATE]
        )
    )
    for other in pair:
        other.role = (
            Seat.Role.CANDIDATE if other.role == Seat.Role.INTERVIEWER else Seat.Role.INTERVIEWER
        )
        other.save(update_fields=["role"])
    record_event(
        seat.room_id, "roles.swapped", {"roles": {str(o.id): o.role for o in pair}}, actor=seat
    )
    return Outbound(refresh=True)


@transaction.atomic
def set_name(seat: Seat, name: Any) -> Outbound:
    """A participant says who they are (the candidate's name form)."""
    seat = _actor(seat)
    name = _text(name, "name", NAME_MAX_CHARS, allow_empty=False).strip()
    seat.name = name
    seat.save(update_fields=["name"])
    record_event(seat.room_id, "seat.named", {"seat": seat.id, "name": name}, actor=seat)
    return Outbound().to("all", {"type": "presence", **_presence(seat)})


# --- presence -------------------------------------------------------------------------


def _presence(seat: Seat) -> dict[str, Any]:
    since = timezone.now() - s.FRESH
    fresh = list(
        Connection.objects.filter(seat=seat, last_seen__gte=since).values_list("focused", flat=True)
    )
    return {**s.seat_payload(seat), "online": bool(fresh), "focused": any(fresh)}


def _sweep_stale(room_id: str) -> Outbound:
    """Forget connections of processes that died without saying so (SIGKILL, lost host)."""
    since = timezone.now() - s.FRESH
    stale = Connection.objects.filter(seat__room_id=room_id, last_seen__lt=since)
    seat_ids = set(stale.values_list("seat_id", flat=True))
    stale.delete()
    out = Outbound()
    for seat in Seat.objects.filter(id__in=seat_ids).order_by("id"):
        if not Connection.objects.filter(seat=seat).exists():
            record_event(room_id, "leave", {"seat": seat.id, "reason": "lost"}, actor=None)
            out.to("all", {"type": "presence", **_presence(seat)})
    return out


def fresh_connection_count(seat: Seat) -> int:
    since = timezone.now() - s.FRESH
    return Connection.objects.filter(seat=seat, last_seen__gte=since).count()


@transaction.atomic
def join(seat: Seat, channel_name: str) -> Outbound:
    """A connection of this seat opened; the first one makes the seat online."""
    seat = _actor(seat)
    out = _sweep_stale(seat.room_id)
    was_online = fresh_connection_count(seat) > 0
    Connection.objects.create(seat=seat, channel_name=channel_name)
    _start_if_scheduled(seat, out)
    if was_online:
        return out
    record_event(seat.room_id, "join", {"seat": seat.id, "role": seat.role}, actor=seat)
    return out.to("all", {"type": "presence", **_presence(seat)})


@transaction.atomic
def leave(seat: Seat, channel_name: str) -> Outbound:
    """A connection closed; the last one makes the seat offline."""
    Room.objects.select_for_update().get(id=seat.room_id)
    if not Connection.objects.filter(channel_name=channel_name).delete()[0]:
        return Outbound()
    if fresh_connection_count(seat) > 0:
        return Outbound()
    record_event(seat.room_id, "leave", {"seat": seat.id}, actor=seat)
    return Outbound().to("all", {"type": "presence", **_presence(seat)})


def touch(channel_name: str) -> None:
    """The connection is alive (pings)."""
    Connection.objects.filter(channel_name=channel_name).update(last_seen=timezone.now())


def heartbeat(room_id: str, channel_name: str) -> Outbound:
    """Every open socket, now and then: keep this connection fresh, sweep dead processes'."""
    touch(channel_name)
    since = timezone.now() - s.FRESH
    if not Connection.objects.filter(seat__room_id=room_id, last_seen__lt=since).exists():
        return Outbound()
    with transaction.atomic():
        Room.objects.select_for_update().filter(id=room_id).first()
        return _sweep_stale(room_id)


@transaction.atomic
def revoke(actor: Seat, seat_id: Any) -> Outbound:
    """An interviewer kills a seat's link; its open connections are closed (4403)."""
    actor = _actor(actor)
    _require_interviewer(actor)
    seat_id = _int(seat_id, "seat", 1, 2**62)
    seat = Seat.objects.filter(id=seat_id, room_id=actor.room_id, revoked_at=None).first()
    if seat is None:
        raise NotFound("no such seat in this room")
    if seat.id == actor.id:
        raise Invalid("you cannot revoke your own seat")
    seat.revoked_at = timezone.now()
    seat.save(update_fields=["revoked_at"])
    record_event(actor.room_id, "seat.revoked", {"seat": seat.id, "role": seat.role}, actor=actor)
    return Outbound(refresh=True)


@transaction.atomic
def set_focus(seat: Seat, channel_name: str, focused: Any) -> Outbound:
    """The participant's tab gained or lost focus: a signal for the transcript."""
    if not isinstance(focused, bool):
        raise Invalid("focus must be true or false")
    seat = _actor(seat)
    _require_live(seat)
    updated = Connection.objects.filter(channel_name=channel_name, seat=seat).update(
        focused=focused, last_seen=timezone.now()
    )
    if not updated:
        raise NotFound("this connection is not registered")
    record_event(seat.room_id, "focus", {"seat": seat.id, "focused": focused}, actor=seat)
    return Outbound().to("all", {"type": "presence", **_presence(seat)})


@transaction.atomic
def record_paste(seat: Seat, chars: Any) -> Outbound:
    """The participant pasted text into the editor: a signal interviewers may want to see."""
    chars = _int(chars, "chars", 1, 10_000_000)
    seat = _actor(seat)
    _require_live(seat)
    record_event(seat.room_id, "paste", {"seat": seat.id, "chars": chars}, actor=seat)
    return Outbound().to(
        "interviewers", {"type": "signal", "kind": "paste", "seat": seat.id, "chars": chars}
    )


# --- the question on display -------------------------------------------------------------


def _find_question(ref: Any) -> Question:
    """A bank question by id or slug."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        question = Question.objects.filter(id=ref).first()
    elif isinstance(ref, str) and ref:
        question = Question.objects.filter(slug=ref[:100]).first()
    else:
        raise Invalid("question must be a question id or slug")
    if question is None:
        raise NotFound("no such question")
    return question


@transaction.atomic
def show_question(seat: Seat, ref: Any) -> Outbound:
    """Put a question on display; a bank question not in the plan is appended to it first."""
    seat = _actor(seat)
    _require_control(seat)
    question = _find_question(ref)
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
    # Once per question, by the server: two browsers racing to insert it would double it.
    starter = None
    if not item.starter_inserted:
        # Stored as the server's (no seat): nobody typed it, so playback credits it to no one.
        starter = insert_starter_code(room.id, item.text_name, question.starter_code)
    room.current_item = item
    room.save(update_fields=["current_item"])
    record_event(
        room.id,
        "question.shown",
        {"question": question.id, "title": question.title, "text": item.text_name},
        actor=seat,
    )
    item = RoomQuestion.objects.select_related("question__category").get(id=item.id)
    out = Outbound(doc_updates=[starter] if starter else []).per_role(
        lambda role: {"type": "question.shown", "question": s.question_for_role(item, role)}
    )
    return out.to("interviewers", {"type": "plan", "plan": s.plan_payload(room)})


# --- the timer ------------------------------------------------------------------------


def _timer_frame(room: Room, now: datetime) -> dict[str, Any]:
    return {"type": "timer.state", **s.timer_payload(room, now)}


def _timer_change(seat: Seat, action: str, data: dict[str, Any], change: Any) -> Outbound:
    seat = _actor(seat)
    _require_control(seat)
    room = seat.room
    now = timezone.now()
    _expire_locked(room, now)
    change(room, now)
    room.save(
        update_fields=["timer_status", "timer_duration_ms", "timer_elapsed_ms", "timer_started_at"]
    )
    record_event(room.id, f"timer.{action}", {**data, **s.timer_payload(room, now)}, actor=seat)
    return Outbound().to("all", _timer_frame(room, now))


def _elapsed(room: Room, now: datetime) -> int:
    return int(s.timer_payload(room, now)["elapsed_ms"])


@transaction.atomic
def timer_start(seat: Seat, duration_s: Any) -> Outbound:
    """(Re)start the countdown from zero."""
    duration_ms = _int(duration_s, "duration_s", 1, TIMER_MAX_S) * 1000

    def change(room: Room, now: datetime) -> None:
        room.timer_status = Room.Timer.RUNNING
        room.timer_duration_ms = duration_ms
        room.timer_elapsed_ms = 0
        room.timer_started_at = now

    return _timer_change(seat, "start", {"duration_ms": duration_ms}, change)


@transaction.atomic
def timer_pause(seat: Seat) -> Outbound:
    def change(room: Room, now: datetime) -> None:
        if room.timer_status != Room.Timer.RUNNING:
            raise Invalid("the timer is not running")
        room.timer_elapsed_ms = _elapsed(room, now)
        room.timer_status = Room.Timer.PAUSED
        room.timer_started_at = None

    return _timer_change(seat, "pause", {}, change)


@transaction.atomic
def timer_resume(seat: Seat) -> Outbound:
    def change(room: Room, now: datetime) -> None:
        if room.timer_status != Room.Timer.PAUSED:
            raise Invalid("the timer is not paused")
        room.timer_status = Room.Timer.RUNNING
        room.timer_started_at = now

    return _timer_change(seat, "resume", {}, change)


@transaction.atomic
def timer_reset(seat: Seat) -> Outbound:
    """Back to idle at zero; the duration stays for the next start."""

    def change(room: Room, now: datetime) -> None:
        room.timer_status = Room.Timer.IDLE
        room.timer_elapsed_ms = 0
        room.timer_started_at = None

    return _timer_change(seat, "reset", {}, change)


@transaction.atomic
def timer_add(seat: Seat, seconds: Any) -> Outbound:
    """Add (or take away) time; an expired timer given more time runs again."""
    delta_ms = _int(seconds, "seconds", -TIMER_MAX_S, TIMER_MAX_S) * 1000
    if delta_ms == 0:
        raise Invalid("seconds must not be 0")

    def change(room: Room, now: datetime) -> None:
        if room.timer_status == Room.Timer.IDLE:
            raise Invalid("the timer has not been started")
        duration = room.timer_duration_ms + delta_ms
        if not 1000 <= duration <= TIMER_MAX_S * 1000:
            raise Invalid("the timer's duration must stay between 1 second and 6 hours")
        room.timer_duration_ms = duration
        if room.timer_status == Room.Timer.EXPIRED and duration > room.timer_elapsed_ms:
            room.timer_status = Room.Timer.RUNNING
            room.timer_started_at = now

    return _timer_change(seat, "add", {"added_ms": delta_ms}, change)


def _expire_locked(room: Room, now: datetime) -> bool:
    """Expire a running timer whose time is up; the conditional UPDATE makes it happen once."""
    if room.timer_status != Room.Timer.RUNNING or room.timer_started_at is None:
        return False
    if _elapsed(room, now) < room.timer_duration_ms:
        return False
    ended_at = room.timer_started_at + (
        timedelta(milliseconds=room.timer_duration_ms - room.timer_elapsed_ms)
    )
    won = Room.objects.filter(
        id=room.id, timer_status=Room.Timer.RUNNING, timer_started_at=room.timer_started_at
    ).update(
        timer_status=Room.Timer.EXPIRED,
        timer_elapsed_ms=room.timer_duration_ms,
        timer_started_at=None,
    )
    if not won:
        return False
    room.timer_status = Room.Timer.EXPIRED
    room.timer_elapsed_ms = room.timer_duration_ms
    room.timer_started_at = None
    record_event(
        room.id, "timer.expired", {"duration_ms": room.timer_duration_ms, "at": s.ms(ended_at)}
    )
    return True


@transaction.atomic
def expire_timer_if_due(room_id: str) -> Outbound:
    """Called by any process that notices the deadline; only the first one records it."""
    room = Room.objects.select_for_update().filter(id=room_id).first()
    now = timezone.now()
    if room is None or not _expire_locked(room, now):
        return Outbound()
    return Outbound().to("all", _timer_frame(room, now))


# --- chat, notes, scores ------------------------------------------------------------------


@transaction.atomic
def send_chat(seat: Seat, text: Any) -> Outbound:
    text = _text(text, "text", CHAT_MAX_CHARS, allow_empty=False).strip()
    seat = _actor(seat)
    _require_live(seat)
    message = ChatMessage.objects.create(room=seat.room, seat=seat, text=text)
    record_event(seat.room_id, "chat", {"message": message.id, "text": text}, actor=seat)
    return Outbound().to("all", {"type": "chat.message", "message": s.chat_payload(message)})


@transaction.atomic
def save_notes(seat: Seat, text: Any) -> Outbound:
    """An interviewer's private notes (kept after the room ends, for the write-up)."""
    text = _text(text, "text", NOTES_MAX_CHARS)
    seat = _actor(seat)
    _require_interviewer(seat)
    note, _ = Note.objects.update_or_create(room=seat.room, seat=seat, defaults={"text": text})
    record_event(seat.room_id, "notes.saved", {"seat": seat.id, "chars": len(text)}, actor=seat)
    return Outbound().to("interviewers", {"type": "notes.saved", "note": s.note_payload(note)})


@transaction.atomic
def save_score(
    seat: Seat,
    question: Any = None,
    rating: Any = None,
    recommendation: Any = None,
    comment: Any = "",
) -> Outbound:
    """Rate one plan question (`question` + `rating`), or the overall `recommendation`."""
    comment = _text(comment if comment is not None else "", "comment", COMMENT_MAX_CHARS)
    seat = _actor(seat)
    _require_interviewer(seat)
    item = None
    if question is not None:
        item = seat.room.plan.filter(question=_find_question(question)).first()
        if item is None:
            raise NotFound("that question is not in this room's plan")
        if recommendation is not None:
            raise Invalid("a recommendation is overall: send it without a question")
        if rating is not None:
            rating = _int(rating, "rating", RATINGS.start, RATINGS.stop - 1)
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
    return Outbound().to("interviewers", {"type": "score.saved", "score": payload})


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
    seat = _actor(seat)
    _require_interviewer(seat)
    stored = {
        score.item.question_id if score.item else None: score
        for score in Score.objects.filter(room=seat.room, seat=seat).select_related("item")
    }
    out = Outbound()
    seen: set[int] = set()
    for entry in ratings:
        if not isinstance(entry, dict) or set(entry) - {"question", "rating", "comment"}:
            raise Invalid("each rating must be an object with question, rating and comment")
        question = _int(entry.get("question"), "question", 1, 2**62)
        if question in seen:
            raise Invalid(f"question {question} is rated twice")
        seen.add(question)
        rating, note = entry.get("rating"), entry.get("comment", "")
        if not _unchanged(stored.get(question), rating, None, note):
            out.frames += save_score(seat, question, rating, None, note).frames
    if not _unchanged(stored.get(None), None, recommendation, comment):
        out.frames += save_score(seat, None, None, recommendation, comment).frames
    return out
