"""Control channel latency across two real daphne processes sharing Redis and PostgreSQL.

Side by side: a `ping` round trip to one process (the cheapest frame: no database write, no
fan-out) and a state change seen by another participant on the OTHER process (`timer.add` by
the interviewer on process A until the candidate on process B has the new `timer.state`:
authorization, one transaction with its transcript event, Redis fan-out). Prints medians,
p95 and the ratio.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/control_latency.py [--n 200]

Uses the database in DATABASE_URL (it creates one room there).
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from rooms import actions  # noqa: E402
from tests.servers import DaphneServer  # noqa: E402


def pct(samples: list[float], q: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))]


async def open_ws(server: DaphneServer, room_id: str, token: str):
    ws = await connect(f"{server.ws_url}/ws/rooms/{room_id}/?token={token}", origin=server.http_url)
    assert json.loads(await ws.recv())["type"] == "room.state"
    return ws


async def wait_for(ws, kind: str) -> dict:
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] == kind:
            return frame


async def measure(a: DaphneServer, b: DaphneServer, room_id: str, tokens: dict, n: int):
    interviewer = await open_ws(a, room_id, tokens["interviewer"])
    candidate = await open_ws(b, room_id, tokens["candidate"])
    await interviewer.send(json.dumps({"type": "timer.start", "duration_s": 3600}))
    await wait_for(candidate, "timer.state")
    pings, changes = [], []
    for i in range(n):
        start = time.perf_counter()
        await interviewer.send(json.dumps({"type": "ping", "t": i}))
        await wait_for(interviewer, "pong")
        pings.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        await interviewer.send(json.dumps({"type": "timer.add", "seconds": 1}))
        await wait_for(candidate, "timer.state")
        changes.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.06)  # stay under the per-connection frame rate limit
    await interviewer.close()
    await candidate.close()
    return pings, changes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    user, _ = User.objects.get_or_create(username="bench")
    created = actions.create_room(user, "bench")
    a, b = DaphneServer().start(), DaphneServer().start()
    try:
        pings, changes = asyncio.run(measure(a, b, created.room.id, created.tokens, args.n))
    finally:
        a.stop()
        b.stop()
    ping50, change50 = statistics.median(pings), statistics.median(changes)
    print(f"n={args.n}")
    print(
        f"ping round trip, same process        p50 {ping50:6.2f} ms  p95 {pct(pings, 0.95):6.2f} ms"
    )
    print(
        f"timer.add seen on the other process  p50 {change50:6.2f} ms"
        f"  p95 {pct(changes, 0.95):6.2f} ms"
    )
    print(f"ratio (state change across processes / ping): {change50 / ping50:.1f}x")


if __name__ == "__main__":
    main()
