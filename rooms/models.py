"""The interview room: seats, plan, timer, chat, notes, scores and the event log.

PostgreSQL is the truth for all of it; Redis only carries messages between processes.
Every change goes through rooms.actions, which writes the RoomEvent in the same
transaction.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models


def new_room_id() -> str:
    # 128 random bits; URL- and channel-group-safe characters only. Never a leading "-", which
    # command lines would take for an option (`export_transcript ROOM`).
    while True:
        room_id = secrets.token_urlsafe(16)
        if not room_id.startswith("-"):
            return room_id


class Room(models.Model):
    class Kind(models.TextChoices):
        INTERVIEW = "interview"
        PAIR = "pair"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        LIVE = "live"
        ENDED = "ended"

    class Timer(models.TextChoices):
        IDLE = "idle"
        RUNNING = "running"
        PAUSED = "paused"
        EXPIRED = "expired"

    id = models.CharField(primary_key=True, max_length=32, default=new_room_id, editable=False)
    title = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INTERVIEW)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="rooms"
    )
    template = models.ForeignKey(
        "questions.Template", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the interview is planned, and for how long (both optional: a room can start any time).
    scheduled_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Bumped whenever the invitation changes (its .ics SEQUENCE): calendars then update it.
    invite_sequence = models.PositiveIntegerField(default=0)
    invite_email = models.EmailField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    current_item = models.ForeignKey(
        "RoomQuestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Server-authoritative timer: elapsed = timer_elapsed_ms + (now - timer_started_at).
    timer_status = models.CharField(max_length=10, choices=Timer.choices, default=Timer.IDLE)
    timer_duration_ms = models.BigIntegerField(default=0)
    timer_elapsed_ms = models.BigIntegerField(default=0)
    timer_started_at = models.DateTimeField(null=True, blank=True)
    # Last sequence number handed to a RoomEvent of this room.
    event_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.title or self.id

    def elapsed_ms(self, now: datetime) -> int:
        """How much of the countdown has run at `now` (never more than its duration)."""
        elapsed = self.timer_elapsed_ms
        if self.timer_status == Room.Timer.RUNNING and self.timer_started_at is not None:
            elapsed += int((now - self.timer_started_at).total_seconds() * 1000)
        if self.timer_duration_ms:
            elapsed = min(elapsed, self.timer_duration_ms)
        return max(elapsed, 0)


class RoomQuestion(models.Model):
    """One question of the room's plan, in order, with its time box."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="plan")
    question = models.ForeignKey("questions.Question", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField(null=True, blank=True)
    shown_at = models.DateTimeField(null=True, blank=True)
    # A multi-step exercise's step the candidate is on (1: the question's own prompt); steps up
    # to it are revealed, and Run tests checks the tests of all of them.
    step = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["room", "question"], name="room_question_once")
        ]

    @property
    def text_name(self) -> str:
        """Name of the Y.Text in the room's document holding this question's code."""
        return f"q-{self.question_id}"


class Seat(models.Model):
    class Role(models.TextChoices):
        INTERVIEWER = "interviewer"
        CANDIDATE = "candidate"
        OBSERVER = "observer"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="seats")
    role = models.CharField(max_length=20, choices=Role.choices)
    name = models.CharField(max_length=80, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # sha256 of the capability token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.role} {self.name}".strip()


class Connection(models.Model):
    """An open websocket of a seat; a seat is online while it has a fresh one."""

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now_add=True)
    focused = models.BooleanField(default=True)


class ChatMessage(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="chat")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    # An observer's message goes to the interviewers (and observers) only: the candidate never
    # learns that someone is watching.
    to_interviewers = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Note(models.Model):
    """An interviewer's private notes for the room (interviewer-only)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="notes")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "seat"], name="one_note_per_seat")]


class Score(models.Model):
    """A rating of one plan question (item set) or the overall recommendation (item null)."""

    class Recommendation(models.TextChoices):
        STRONG_NO = "strong_no"
        NO = "no"
        YES = "yes"
        STRONG_YES = "strong_yes"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="scores")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        RoomQuestion, null=True, blank=True, on_delete=models.CASCADE, related_name="scores"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seat", "item"], name="one_score_per_item"),
            models.UniqueConstraint(
                fields=["room", "seat"],
                condition=models.Q(item__isnull=True),
                name="one_overall_score",
            ),
        ]


class RoomEvent(models.Model):
    """The transcript: every state change of the room, in order."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="event_seq_unique")]


def new_run_id() -> str:
    return secrets.token_hex(12)


class Run(models.Model):
    """A run of a question's code in the room (rooms.actions.runs): queued, running, done.
    One room has at most one run queued or running that everyone sees, and one of hidden
    tests; the result is its `run` event."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.CharField(primary_key=True, max_length=32, default=new_run_id, editable=False)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="runs")
    seat = models.ForeignKey(Seat, null=True, on_delete=models.SET_NULL, related_name="+")
    item = models.ForeignKey(RoomQuestion, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=10)  # run | tests | hidden
    # A multi-step exercise's step shown when it ran (its tests are those up to it); else None.
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(mode="hidden"),
                name="one_active_shared_run_per_room",
            ),
            models.UniqueConstraint(
                fields=["room"],
                condition=models.Q(status__in=["queued", "running"], mode="hidden"),
                name="one_active_hidden_run_per_room",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="run_queue")]


class RunOutput(models.Model):
    """What a run under way has printed so far, chunk by chunk, for whoever joins while it runs
    (room.state); deleted when the run ends, as its `run` event then holds all of it."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()  # the chunk's number in the run: 0, 1, 2...
    stream = models.CharField(max_length=6)  # stdout | stderr
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="run_output_seq")]
