"""The control channel under load beside a peer of its own kind, in one run.

Ours: the room channel (`ws/rooms/<room>/`) on two daphne processes, PostgreSQL and Redis. The
peer: a plain Channels consumer on channels_redis's pub/sub layer (`bench/control_peer.py`),
also on two daphne processes and the same Redis. Per room an interviewer on one process sends
a chat message every `--period` seconds (1.5 by default; random phase per room) and the
candidate on the other process is timed from the send until the frame arrives. Ours checks
the seat and its rate, stores the message and its transcript event, then fans out through its
relay; the peer only fans out.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ir_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/control_fanout.py [--rooms 200] [--duration 20] [--runs 3] \\
            [--period 1.5]

Each run adds its rooms to DATABASE_URL's database (a database of its own for benchmarks).
Every process it starts listens on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from rooms import actions  # noqa: E402
from tests.servers import DaphneServer, RedisServer, free_port  # noqa: E402


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class PeerServer:
    """bench/control_peer.py under daphne."""

    def __init__(self, redis_url: str) -> None:
        self.port = free_port()
        self.env = {**os.environ, "REDIS_URL": redis_url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}

    def start(self) -> PeerServer:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "bench.control_peer:application",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the peer did not start")

    def url(self, room: str, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/rooms/{room}/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class OurServer:
    def __init__(self, redis_url: str) -> None:
        env = {"REDIS_URL": redis_url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
        self.daphne = DaphneServer(env=env)

    def start(self) -> OurServer:
        self.daphne.start()
        return self

    def url(self, room: str, token: str) -> str:
        return f"{self.daphne.ws_url}/ws/rooms/{room}/?token={token}"

    @property
    def origin(self) -> str:
        return self.daphne.http_url

    def stop(self) -> None:
        self.daphne.stop()


async def run(
    a: PeerServer | OurServer,
    b: PeerServer | OurServer,
    rooms: list[Any],
    duration: float,
    period: float,
) -> dict[str, Any]:
    sent: dict[str, float] = {}
    latencies: list[float] = []

    async def open_ws(server: PeerServer | OurServer, room: str, token: str) -> Any:
        ws = await connect(server.url(room, token), origin=server.origin)  # type: ignore[arg-type]
        while json.loads(await ws.recv())["type"] != "room.state":
            pass
        return ws

    async def read(ws: Any, timed: bool) -> None:
        async for frame in ws:
            now = time.perf_counter()
            data = json.loads(frame)
            if timed and data["type"] == "chat.message":
                start = sent.get(data["message"].get("text", ""))
                if start is not None:
                    latencies.append((now - start) * 1000)

    pairs = []
    for i in range(0, len(rooms), 20):
        batch = rooms[i : i + 20]
        pairs += await asyncio.gather(
            *(
                asyncio.gather(
                    open_ws(a, r.room.id, r.tokens["interviewer"]),
                    open_ws(b, r.room.id, r.tokens["candidate"]),
                )
                for r in batch
            )
        )
    readers = [asyncio.create_task(read(ws, timed)) for pair in pairs for ws, timed in
               zip(pair, (False, True), strict=True)]  # fmt: skip
    stop_at = time.perf_counter() + duration

    async def type_in(index: int, sender: Any) -> None:
        await asyncio.sleep(random.random() * period)
        seq = 0
        while time.perf_counter() < stop_at:
            seq += 1
            text = f"m{index}.{seq}"
            sent[text] = time.perf_counter()
            await sender.send(json.dumps({"type": "chat.send", "text": text}))
            await asyncio.sleep(period)

    await asyncio.gather(*(type_in(i, pair[0]) for i, pair in enumerate(pairs)))
    deadline = time.perf_counter() + 10
    while len(latencies) < len(sent) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    for pair in pairs:
        for ws in pair:
            await ws.close()
    for reader in readers:
        reader.cancel()
    return {
        "sent": len(sent),
        "seen": len(latencies),
        "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99),
        "max_ms": max(latencies, default=float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--period", type=float, default=1.5, help="seconds between a room's messages (>= 1)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    owner, _ = User.objects.get_or_create(username="bench")
    redis = RedisServer().start()
    results: list[tuple[str, dict[str, Any]]] = []
    try:
        for number in range(args.runs):
            for name in ("peer", "ours"):
                rooms = [actions.create_room(owner, "bench") for _ in range(args.rooms)]
                kind = PeerServer if name == "peer" else OurServer
                a, b = kind(redis.url).start(), kind(redis.url).start()
                try:
                    result = asyncio.run(run(a, b, rooms, args.duration, args.period))
                finally:
                    a.stop()
                    b.stop()
                print(f"run {number + 1}, {name}: {result}", flush=True)
                results.append((name, result))
    finally:
        redis.kill()
    print(
        f"\nA chat message to the other member of each of {args.rooms} rooms, across two"
        f" processes, one every {args.period:g} s per room, {args.duration:g} s per run:\n"
    )
    print("| server | p50 ms | p99 ms | max ms | sent | seen |")
    print("|---|---|---|---|---|---|")
    labels = {"peer": "Channels consumer, channels_redis pub/sub layer", "ours": "ours"}
    for name, r in results:
        print(
            f"| {labels[name]} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f}"
            f" | {r['sent']} | {r['seen']} |"
        )


if __name__ == "__main__":
    main()
