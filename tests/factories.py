"""Small builders for test data: users, questions, rooms with seats."""

from typing import Any

from django.contrib.auth.models import User

from questions.models import Category, Question
from rooms.models import Room, RoomQuestion, Seat
from rooms.seats import create_seat

SECRET = "interviewer-only"


def interviewer(username: str = "alice", password: str = "pw-alice-123") -> User:
    user = User.objects.filter(username=username).first()
    return user or User.objects.create_user(username=username, password=password)


def question(slug: str = "two-sum", **fields: Any) -> Question:
    category, _ = Category.objects.get_or_create(slug="algorithms", defaults={"name": "Algorithms"})
    defaults: dict[str, Any] = {
        "title": "Two sum",
        "prompt": "Return the indices of the two numbers that add up to `target`.",
        "category": category,
        "difficulty": "easy",
        "language": "python",
        "starter_code": "",
        # Interviewer-only fields carry a marker that must never reach a candidate.
        "guidance": f"GUIDANCE {SECRET} {slug}: look for the hash map.",
        "rubric": [f"RUBRIC {SECRET} {slug}: O(n) with a dict"],
        "hints": [f"HINT {SECRET} {slug}"],
        "solution": f"SOLUTION {SECRET} {slug}",
        "wrong_solutions": [{"name": f"WRONG {SECRET} {slug}", "why": "-", "code": "pass"}],
        "steps": [{"title": f"STEP {SECRET} {slug}", "prompt": "-", "solution": "-"}],
        "hidden_tests": [f"HIDDEN {SECRET} {slug}"],
        "follow_ups": [f"FOLLOWUP {SECRET} {slug}"],
        "red_flags": [f"REDFLAG {SECRET} {slug}"],
    }
    defaults.update(fields)
    return Question.objects.create(slug=slug, **defaults)


def room_with_seats(owner: User, title: str = "Backend loop", kind: str = "interview") -> dict:
    """A room with one seat per role and the tokens of each (in clear, as at creation)."""
    room = Room.objects.create(owner=owner, title=title, kind=kind)
    seats: dict[str, Seat] = {}
    tokens: dict[str, str] = {}
    for role, name in (("interviewer", owner.username), ("candidate", "Ada"), ("observer", "Obi")):
        user = owner if role == "interviewer" else None
        seats[role], tokens[role] = create_seat(room, role, name, user)
    return {"room": room, "seats": seats, "tokens": tokens}


def plan(room: Room, *questions: Question) -> list[RoomQuestion]:
    return [
        RoomQuestion.objects.create(room=room, question=q, position=i, minutes=15)
        for i, q in enumerate(questions)
    ]


def revoked(seat: Seat) -> Seat:
    """The seat's link killed (as `actions.revoke` does, without telling anyone): test set-up."""
    from django.utils import timezone

    seat.revoked_at = timezone.now()
    seat.save(update_fields=["revoked_at"])
    return seat
