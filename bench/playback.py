"""Code at an instant on a one-hour room, side by side with a full replay from the start.

Builds a room whose log holds one hour of typing (default 36,000 updates: one keystroke per
update, 10 a second, with backspaces, deleted words and an interviewer's comments, across two
questions), then answers random instants of that hour two ways:

- `playback.code_at`: the latest checkpoint at or before the instant plus the log's tail;
- the reference, `playback.replay_from_start`: every update up to the instant from an empty
  document.

Both must give the same code at every instant measured. Prints the first answer (which folds
the room's checkpoints), medians, p95 and max, their ratio, and the size of the review page's
`/updates` payload (raw and gzipped).

    DATABASE_URL=... .venv/bin/python bench/playback.py [--updates 36000] [--instants 200]

Uses the database in DATABASE_URL (it creates one room there).
"""

import argparse
import gzip
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from pycrdt import Doc, Text  # noqa: E402

from editor import playback  # noqa: E402
from editor.models import DocUpdate  # noqa: E402
from questions.models import Category, Question  # noqa: E402
from rooms import actions, serializers  # noqa: E402
from rooms.models import RoomQuestion  # noqa: E402

WORDS = ["def", "for", "in", "if", "return", "while", "yield", "class", "self", "value", "key"]


def pct(samples: list[float], q: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))]


def one_hour_of_typing(n: int, texts: list[str], seats: tuple[int, int], start: datetime):
    """Yjs updates as browsers make them: (time, seat, update), one keystroke each."""
    rng = random.Random(6)
    doc: Doc = Doc()
    # Each transaction's own update, as a browser's Yjs emits it (a diff against a state vector
    # would carry the whole delete set every time).
    emitted: list[bytes] = []
    doc.observe(lambda event: emitted.append(event.update))
    step = timedelta(seconds=3600 / n)
    candidate, interviewer = seats
    for i in range(n):
        text = doc.get(texts[0] if i < n // 2 else texts[1], type=Text)
        seat = candidate
        length = len(text)
        roll = rng.random()
        if roll < 0.15 and length:  # backspace
            del text[length - 1 : length]
        elif roll < 0.17 and length > 20:  # select a word and delete it
            at = rng.randrange(length - 10)
            del text[at : at + rng.randint(2, 10)]
        elif roll < 0.18:  # the interviewer leaves a comment somewhere
            seat = interviewer
            text.insert(rng.randrange(length + 1), f"  # {rng.choice(WORDS)}?\n")
        else:  # typing, mostly at the end, now and then in the middle
            at = length if rng.random() < 0.9 else rng.randrange(length + 1)
            text.insert(
                at, rng.choice(WORDS) + " " if rng.random() < 0.2 else rng.choice("abcx_ ():\n")
            )
        yield start + step * i, seat, emitted.pop()


def build_room(n: int):
    user, _ = User.objects.get_or_create(username="bench")
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    questions = [
        Question.objects.get_or_create(
            slug=f"bench-{name}",
            defaults={"title": name, "prompt": "-", "category": category, "difficulty": "easy"},
        )[0]
        for name in ("first", "second")
    ]
    created = actions.create_room(user, "bench playback")
    room = created.room
    items = [
        RoomQuestion.objects.create(room=room, question=q, position=i, shown_at=room.created_at)
        for i, q in enumerate(questions, start=1)
    ]
    texts = [item.text_name for item in items]
    seats = (created.seats["candidate"].id, created.seats["interviewer"].id)
    start = datetime(2026, 1, 1, 10, tzinfo=UTC)
    # Rows as the store writes them (time, seat, bytes), inserted in bulk to keep the set-up short.
    rows = [
        DocUpdate(room_id=room.id, at=at, seat_id=seat, data=update)
        for at, seat, update in one_hour_of_typing(n, texts, seats, start)
    ]
    DocUpdate.objects.bulk_create(rows, batch_size=2000)
    room.started_at, room.ended_at = start, start + timedelta(hours=1)
    room.save(update_fields=["started_at", "ended_at"])
    return room, texts, start


def timed(function, *args) -> tuple[float, object]:
    began = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - began) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=36_000)
    parser.add_argument("--instants", type=int, default=200)
    parser.add_argument("--reference", type=int, default=20, help="instants for the full replay")
    args = parser.parse_args()

    began = time.perf_counter()
    room, texts, start = build_room(args.updates)
    print(f"room {room.id}: {args.updates} updates over one hour "
          f"(set-up {time.perf_counter() - began:.1f} s)")  # fmt: skip

    rng = random.Random(7)
    instants = [start + timedelta(seconds=rng.uniform(0, 3600)) for _ in range(args.instants)]
    first_ms, _ = timed(playback.code_at, room.id, instants[0], texts)
    fast = [timed(playback.code_at, room.id, at, texts)[0] for at in instants]
    slow = []
    for at in instants[: args.reference]:
        ms, expected = timed(playback.replay_from_start, room.id, at, texts)
        slow.append(ms)
        assert playback.code_at(room.id, at, texts) == expected, f"code differs at {at}"
    end = start + timedelta(hours=1)
    end_ms, end_code = timed(playback.code_at, room.id, end, texts)
    end_replay_ms, end_replayed = timed(playback.replay_from_start, room.id, end, texts)
    assert end_code == end_replayed
    size = sum(len(code) for code in end_code.values())

    payload_ms, payload = timed(serializers.update_log_payload, room)
    raw = json.dumps(payload).encode()
    full = json.dumps(serializers.update_log_payload(room, with_checkpoints=True)).encode()
    checkpoints = len(playback.checkpoints(room.id))

    def mb(data: bytes) -> str:
        return f"{len(data) / 1e6:.2f} MB"

    report = [
        f"final code: {size} characters in {len(texts)} questions; {checkpoints} checkpoints "
        f"(one per {playback.SNAPSHOT_EVERY} updates)",
        f"first answer (folds the missing checkpoints once): {first_ms:.0f} ms",
        f"code_at, {len(fast)} random instants: median {statistics.median(fast):.1f} ms, "
        f"p95 {pct(fast, 0.95):.1f} ms, max {max(fast):.1f} ms",
        f"full replay, {len(slow)} of them: median {statistics.median(slow):.1f} ms, "
        f"p95 {pct(slow, 0.95):.1f} ms, max {max(slow):.1f} ms",
        f"ratio of medians (replay / code_at): "
        f"{statistics.median(slow) / statistics.median(fast):.1f}x; "
        f"same code at all {len(slow)} compared instants",
        f"end of the hour: code_at {end_ms:.1f} ms, full replay {end_replay_ms:.1f} ms "
        f"({end_replay_ms / end_ms:.1f}x)",
        f"/updates payload: {mb(raw)} JSON, {mb(gzip.compress(raw))} gzipped, built in "
        f"{payload_ms:.0f} ms; with ?checkpoints=1: {mb(full)}, {mb(gzip.compress(full))} gzipped",
    ]
    print("\n".join(report))


if __name__ == "__main__":
    main()
