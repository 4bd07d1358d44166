"""Joining a room and playing it back on a large update log, beside the same on an empty one.

The update log grows by one row per keystroke in every room, forever unless compacted. This
measures whether a room's join (the server's load: latest snapshot plus the log's tail) and
playback (`code_at` at random instants) slow down as other rooms' rows pile up:

1. an empty log plus one measured room (one hour of typing at 1 keystroke a second: 3,600
   single-keystroke updates, snapshots folded as the server folds them);
2. the same room after FILL rows of other rooms (single-keystroke updates of ROOMS rooms,
   interleaved in id order as concurrent interviews are), inserted with `generate_series`.

Prints p50/p95 of each and the ratio large/empty; the target is 1.5x at 10 million rows
across 5,000 rooms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ir_biglog .venv/bin/python bench/big_log.py \
        [--fill 10000000] [--rooms 5000] [--samples 200]

DATABASE_URL must name a database of its own (created and migrated if missing; its editor
tables are emptied at the start).
"""

from __future__ import annotations

import argparse
import asyncio
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

from django.db import connection  # noqa: E402
from pycrdt import Doc, Text  # noqa: E402

from bench.editor_latency import ensure_database  # noqa: E402
from editor import playback  # noqa: E402
from editor.models import DocUpdate  # noqa: E402
from editor.store_postgres import PostgresStore  # noqa: E402

ROOM = "measured-room"
TEXT = "q-1"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
UPDATES = 3600


def measured_room() -> None:
    """One hour of typing, a keystroke a second, snapshots folded every 500 updates."""
    doc: Doc = Doc()
    text = doc.get(TEXT, type=Text)
    rows = []
    for n in range(UPDATES):
        before = doc.get_state()
        if n % 7 == 6 and len(text):
            del text[len(text) - 1]
        else:
            text.insert(len(text), random.choice("abcdefghij (){}:\n"))
        rows.append(DocUpdate(room_id=ROOM, at=START + timedelta(seconds=n), seat_id=1,
                              data=doc.get_update(before)))  # fmt: skip
    DocUpdate.objects.bulk_create(rows, batch_size=2000)
    playback.fill_checkpoints(ROOM)


def fill(rows: int, rooms: int) -> float:
    """`rows` single-keystroke updates of `rooms` other rooms; seconds taken."""
    keystroke = bytes(DocUpdate.objects.filter(room_id=ROOM).order_by("id")[1].data)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DocUpdate._meta.db_table} (room_id, at, seat_id, data)"
            " SELECT 'filler-' || mod(g, %s), %s::timestamptz + g * interval '1 ms', 1, %s"
            " FROM generate_series(1, %s) AS g",
            [rooms, START, keystroke, rows],
        )
        cursor.execute(f"ANALYZE {DocUpdate._meta.db_table}")
    return time.perf_counter() - started


def timed(samples: int) -> dict[str, list[float]]:
    """Milliseconds per join (the server's load of the room) and per playback instant."""

    async def joins() -> list[float]:
        store = PostgresStore()
        taken = []
        for _ in range(samples):
            started = time.perf_counter()
            await store.load(ROOM)
            taken.append((time.perf_counter() - started) * 1000)
        await store.close()
        return taken

    rng = random.Random(5)
    plays = []
    for _ in range(samples):
        at = START + timedelta(seconds=rng.uniform(0, UPDATES))
        started = time.perf_counter()
        playback.code_at(ROOM, at, [TEXT])
        plays.append((time.perf_counter() - started) * 1000)
    return {"join": asyncio.run(joins()), "playback": plays}


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fill", type=int, default=10_000_000)
    parser.add_argument("--rooms", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    ensure_database()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE editor_docupdate, editor_docsnapshot")
    random.seed(14)
    measured_room()
    timed(20)  # warm up
    empty = timed(args.samples)
    took = fill(args.fill, args.rooms)
    print(f"filled {args.fill:,} rows of {args.rooms:,} rooms in {took:.0f} s", flush=True)
    timed(20)
    large = timed(args.samples)
    with connection.cursor() as cursor:
        table = DocUpdate._meta.db_table
        cursor.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))")
        size = cursor.fetchone()[0]
    print(f"\nlog: {args.fill + UPDATES:,} rows, {size} with indexes\n")
    print("| what | log | p50 ms | p95 ms | p50 ratio |")
    print("|---|---|---|---|---|")
    for what in ("join", "playback"):
        base = statistics.median(empty[what])
        for name, runs in (("empty", empty), (f"{args.fill:,} rows", large)):
            p50, p95 = statistics.median(runs[what]), pct(runs[what], 0.95)
            print(f"| {what} | {name} | {p50:.2f} | {p95:.2f} | {p50 / base:.2f}x |")


if __name__ == "__main__":
    main()
