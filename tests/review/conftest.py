"""A scripted room: known edits and actions at known instants, through the real actions and
the real update log, with the clock set by the script (Django's timezone.now). Transactional:
the actions do their work (starter code, broadcasts) when their changes commit."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pycrdt import Text

from editor import playback
from editor.store import Batch, PendingUpdate, new_store
from relay.loops import run_apart
from rooms import actions
from rooms.models import Room, Seat
from tests.rooms.conftest import SECRET, alice, bank, clients, pair_room, room  # noqa: F401 (fixtures)

T0 = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)

STARTER = "def two_sum():\n    pass\n"
FIZZ_STARTER = "def fizz_buzz():\n    pass\n"
# The two-sum code after each scripted edit, by seconds after T0.
TWO_SUM_AT = {
    19: "",
    20: STARTER,
    60: "def two_sum(nums, target):\n    pass\n",
    90: "def two_sum(nums, target):\n    seen = {}\n",
    120: "def two_sum(nums, target):\n    seen = {}\n    return []\n",
    150: "def two_sum(nums, target):\n    return []\n",
}
FIZZ_FINAL = "def fizz_buzz():\n    return 'fizz'\n# edge cases?\n"


def instant(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class Clock:
    """Sets what timezone.now() answers, so every stored time is one the script chose."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = T0
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, seconds: float) -> None:
        self.now = instant(seconds)


def type_into(room_id: str, seat: Seat, text_name: str, change: Any) -> None:
    """A participant's edit as their browser makes it: a Yjs update against the current
    document, stored through the store the document channel uses."""
    doc = playback.doc_at(room_id, timezone.now())
    before = doc.get_state()
    text = doc.get(text_name, type=Text)
    with doc.transaction():
        change(text)
    update = PendingUpdate(room_id, seat.id, doc.get_update(before))
    run_apart(lambda: _store(update))


async def _store(update: PendingUpdate) -> None:
    store = new_store()
    try:
        await store.append(Batch([update]))
    finally:
        await store.close()


def replace(old: str, new: str) -> Any:
    def change(text: Text) -> None:
        start = str(text).index(old)
        del text[start : start + len(old)]
        if new:
            text.insert(start, new)

    return change


def append(new: str) -> Any:
    return lambda text: text.insert(len(text), new)


@dataclass
class Scripted:
    room: Room
    seats: dict[str, Seat]
    tokens: dict[str, str]
    questions: dict[str, Any]
    owner: User
    texts: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def scripted(transactional_db, bank, alice, monkeypatch):  # noqa: F811
    """A ten-minute interview: two questions, edits, chat, signals, notes, scores, the end."""
    clock = Clock(monkeypatch)
    two_sum, fizz_buzz = bank[0], bank[1]
    created = actions.create_room(alice, "Backend screen", "screen")
    room_id = created.room.id
    seats = created.seats
    interviewer, candidate = seats["interviewer"], seats["candidate"]
    actions.set_name(candidate, "Ada")
    text = f"q-{two_sum.id}"
    fizz = f"q-{fizz_buzz.id}"

    clock.at(5)
    actions.join(interviewer, "chan-interviewer")
    clock.at(10)
    actions.join(candidate, "chan-candidate")
    clock.at(20)
    actions.show_question(interviewer, two_sum.id)
    clock.at(30)
    actions.timer_start(interviewer, 1800)
    clock.at(60)
    type_into(room_id, candidate, text, replace("two_sum()", "two_sum(nums, target)"))
    clock.at(90)
    type_into(room_id, candidate, text, replace("    pass\n", "    seen = {}\n"))
    clock.at(100)
    actions.send_chat(candidate, "Can I use a dict?")
    clock.at(110)
    actions.record_paste(candidate, 42)
    clock.at(120)
    type_into(room_id, candidate, text, append("    return []\n"))
    clock.at(130)
    actions.set_focus(candidate, "chan-candidate", False)
    clock.at(140)
    actions.set_focus(candidate, "chan-candidate", True)
    clock.at(150)
    type_into(room_id, candidate, text, replace("    seen = {}\n", ""))
    clock.at(180)
    actions.show_question(interviewer, fizz_buzz.id)
    clock.at(190)
    type_into(room_id, interviewer, fizz, append("# edge cases?\n"))
    clock.at(200)
    type_into(room_id, candidate, fizz, replace("pass", "return 'fizz'"))
    clock.at(240)
    actions.save_notes(interviewer, "Knows dicts.\nMissed the empty case.")
    clock.at(250)
    actions.save_score(interviewer, two_sum.id, 3, None, "solid")
    actions.save_score(interviewer, None, None, "yes", "hire")
    clock.at(255)
    actions.leave(candidate, "chan-candidate")
    clock.at(260)
    actions.end_room(interviewer)
    clock.at(600)
    return Scripted(
        room=Room.objects.get(id=room_id),
        seats={role: Seat.objects.get(id=seat.id) for role, seat in seats.items()},
        tokens=created.tokens,
        questions={"two-sum": two_sum, "fizz-buzz": fizz_buzz},
        owner=alice,
        texts={"two-sum": text, "fizz-buzz": fizz},
    )
