"""A room's transcript: the contract's JSON, and a Markdown rendering of it for people.

Interviewer-only as a whole (notes and scores): callers check access before building it.
The JSON is built from the role-filtered serializer; the Markdown is rendered from the JSON,
so the two exports can never disagree.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.utils import timezone

from editor import documents
from rooms import serializers as s
from rooms.models import Note, Room, RoomEvent, RoomQuestion, Score, Seat
from rooms.run_record import describe_run, render_runs


def shown_questions(room: Room) -> list[RoomQuestion]:
    """The plan questions that were put on display, in the order they were first shown."""
    items = room.plan.filter(shown_at__isnull=False).select_related("question__category")
    return sorted(items, key=lambda item: (item.shown_at, item.position))


def questions_with_code(room: Room, at: datetime | None = None) -> list[dict[str, Any]]:
    """Each shown question with its code: final, or as it stood at instant `at`."""
    items = shown_questions(room)
    names = [item.text_name for item in items]
    code = documents.code_at(room.id, at or timezone.now(), names)
    return [s.question_code(item, code[item.text_name]) for item in items]


def build(room: Room, at: datetime | None = None, reader: Seat | None = None) -> dict[str, Any]:
    """The transcript as in the contract, events in order; with `at`, the code at that instant.

    Notes belong to their author: a `reader` (an interviewer reviewing) gets only their own;
    the server's operator (the export command, no reader) gets everyone's."""
    events = RoomEvent.objects.filter(room=room).order_by("seq")
    notes = Note.objects.filter(room=room).select_related("seat").order_by("seat_id")
    if reader is not None:
        notes = notes.filter(seat=reader)
    scores = (
        Score.objects.filter(room=room)
        .select_related("seat", "item")
        .order_by("seat_id", "item__position", "id")
    )
    return {
        "room": s.room_summary(room),
        "participants": [s.participant_record(seat) for seat in room.seats.order_by("id")],
        "events": [s.event_record(event) for event in events],
        "questions": questions_with_code(room, at),
        "code_at": s.iso(at),
        "notes": [s.note_record(note) for note in notes],
        "scores": [s.score_record(score) for score in scores],
    }


# --- Markdown ---------------------------------------------------------------------------


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _clock(seconds: float) -> str:
    sign = "-" if seconds < 0 else "+"
    whole = int(abs(seconds))
    return f"{sign}{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cell(text: Any) -> str:
    return _one_line("" if text is None else str(text)).replace("|", "\\|")


def _fence(code: str) -> str:
    """A code fence longer than any run of backticks inside the code."""
    longest, run = 0, 0
    for char in code:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


class _Names:
    def __init__(self, transcript: dict[str, Any]) -> None:
        self.seats = {p["seat"]: p for p in transcript["participants"]}
        self.questions = {q["id"]: q["title"] for q in transcript["questions"]}

    def seat(self, seat_id: int | None) -> str:
        seat = self.seats.get(seat_id)
        if seat is None:
            return "the server" if seat_id is None else f"seat {seat_id}"
        return seat["name"] or seat["role"]

    def role(self, seat_id: int | None) -> str:
        seat = self.seats.get(seat_id)
        return seat["role"] if seat else "seat"

    def question(self, question_id: int | None, fallback: str = "") -> str:
        return self.questions.get(question_id, fallback) if question_id else fallback


def describe(event: dict[str, Any], names: _Names) -> str:
    """One timeline line's text for an event."""
    data, kind = event["data"], event["type"]
    who = names.seat(event["actor"])
    subject = names.seat(data.get("seat")) if "seat" in data else who
    if kind == "room.created":
        return "Room created"
    if kind == "room.started":
        return f"Room started ({who} arrived)"
    if kind == "join":
        return f"{subject} joined ({data.get('role', '')})"
    if kind == "leave":
        if data.get("reason") != "lost":
            return f"{subject} left"
        return f"{subject}'s connection was lost{_last_heard(event['at'], data.get('last_seen'))}"
    if kind == "seat.named":
        return f"The {names.role(data.get('seat'))} is now called {data.get('name')}"
    if kind == "focus":
        return f"{subject} {'came back to' if data.get('focused') else 'left'} the room's tab"
    if kind == "paste":
        return f"{subject} pasted {data.get('chars')} characters"
    if kind == "plan.added":
        return f"{who} added “{data.get('title')}” to the plan"
    if kind == "question.shown":
        return f"{who} showed “{data.get('title')}”"
    if kind == "question.step":
        step = data.get("step")
        if step is not None and step > data.get("from", 0):
            return f"{who} revealed step {step}: {data.get('step_title')}"
        return f"{who} went back to step {step} of “{data.get('title')}”"
    if kind.startswith("timer."):
        return f"{who if event['actor'] else 'Timer'}: {_timer_text(kind, data)}"
    if kind == "chat":
        private = " (to interviewers)" if data.get("to") == "interviewers" else ""
        return f"{who}{private}: {_one_line(data.get('text', ''))}"
    if kind == "notes.saved":
        return f"{who} saved notes ({data.get('chars')} characters)"
    if kind == "score.saved":
        if data.get("question"):
            rating = data.get("rating")
            title = names.question(data["question"], f"question {data['question']}")
            return f"{who} rated “{title}”: {rating if rating is not None else '-'}/4"
        return f"{who} recommended: {data.get('recommendation') or 'undecided'}"
    if kind == "seat.revoked":
        return f"{who} revoked the {data.get('role')} link of {names.seat(data.get('seat'))}"
    if kind == "seat.renewed":
        return f"{who} made a new {data.get('role')} link"
    if kind == "roles.swapped":
        return f"{who} swapped roles"
    if kind == "room.ended":
        return f"{who} ended the room"
    if kind == "run":
        return describe_run(data, who)
    return f"{kind} {json.dumps(data, sort_keys=True)}"


def _last_heard(at: str, last_seen: str | None) -> str:
    """How long before the server noticed the loss it last heard from the connection."""
    then, now = _instant(last_seen), _instant(at)
    if then is None or now is None:
        return ""
    return f" (last heard {max(0, round((now - then).total_seconds()))} s before)"


def _timer_text(kind: str, data: dict[str, Any]) -> str:
    minutes = round(data.get("duration_ms", 0) / 60000, 1)
    if kind == "timer.start":
        return f"timer started ({minutes:g} min)"
    if kind == "timer.add":
        return f"timer {data.get('added_ms', 0) // 1000:+d} s ({minutes:g} min in all)"
    if kind == "timer.expired":
        return "time is up"
    return f"timer {kind.removeprefix('timer.')}"


def render_markdown(transcript: dict[str, Any]) -> str:
    room = transcript["room"]
    names = _Names(transcript)
    start = _instant(room["started_at"]) or _instant(room["created_at"])

    def since_start(value: str) -> str:
        at = _instant(value)
        return _clock((at - start).total_seconds()) if at and start else value

    lines = [f"# Transcript: {room['title'] or 'Untitled interview'}", ""]
    lines.append(f"- Room: `{room['id']}` ({room['kind']}, {room['status']})")
    lines.append(f"- Started: {room['started_at'] or 'never'}")
    lines.append(f"- Ended: {room['ended_at'] or 'not yet'}")
    if transcript.get("code_at"):
        lines.append(f"- Code as it stood at {transcript['code_at']}")
    lines += ["", "## Participants", ""]
    for person in transcript["participants"]:
        revoked = " (link revoked)" if person.get("revoked") else ""
        lines.append(f"- **{person['name'] or '(no name)'}**, {person['role']}{revoked}")

    lines += ["", "## Questions", ""]
    if not transcript["questions"]:
        lines += ["No question was shown.", ""]
    for number, question in enumerate(transcript["questions"], start=1):
        fence = _fence(question["code"])
        language = question.get("language") or ""
        if language == "text":
            language = ""
        lines += [f"### {number}. {question['title']}", ""]
        if question.get("prompt"):
            lines += [question["prompt"].strip(), ""]
        lines += [f"{fence}{language}", *question["code"].splitlines(), fence, ""]

    chat = [event for event in transcript["events"] if event["type"] == "chat"]
    lines += ["## Chat", ""]
    for event in chat:
        text = _one_line(event["data"].get("text", ""))
        private = " (to interviewers)" if event["data"].get("to") == "interviewers" else ""
        who = names.seat(event["actor"])
        lines.append(f"- `{since_start(event['at'])}` **{who}**{private}: {text}")
    if not chat:
        lines.append("No messages.")

    lines += ["", "## Notes", ""]
    for note in transcript["notes"]:
        lines += [f"### {names.seat(note['seat'])}", "", note["text"] or "(empty)", ""]
    if not transcript["notes"]:
        lines += ["No notes.", ""]

    lines += ["## Scores", ""]
    _render_scores(transcript["scores"], names, lines)

    lines += render_runs(transcript["events"], names.seat, since_start)
    lines += ["## Timeline", ""]
    for event in transcript["events"]:
        lines.append(f"- `{since_start(event['at'])}` {describe(event, names)}")
    return "\n".join(lines) + "\n"


def _render_scores(scores: list[dict[str, Any]], names: _Names, lines: list[str]) -> None:
    if not scores:
        lines += ["No scores.", ""]
    by_seat: dict[int, list[dict[str, Any]]] = {}
    for score in scores:
        by_seat.setdefault(score["seat"], []).append(score)
    for seat_id, seat_scores in by_seat.items():
        lines += [f"### {names.seat(seat_id)}", ""]
        ratings = [score for score in seat_scores if score["question"]]
        if ratings:
            lines += ["| Question | Rating | Comment |", "| --- | --- | --- |"]
            for score in ratings:
                rating = f"{score['rating']}/4" if score["rating"] is not None else "-"
                title = names.question(score["question"], f"question {score['question']}")
                lines.append(f"| {_cell(title)} | {rating} | {_cell(score['comment'])} |")
            lines.append("")
        for score in seat_scores:
            if score["question"] is None:
                comment = f": {_one_line(score['comment'])}" if score["comment"] else ""
                verdict = score["recommendation"] or "undecided"
                lines += [f"Recommendation: **{verdict}**{comment}", ""]
