"""Quiet rooms, for a long time: the soak test of tests/test_quiet_room.py, longer and wider.

Two daphne processes on PostgreSQL and Redis; in each room an interviewer (control and
document channels on one process) and a candidate (on the other) sit idle, pinging as the page
does, and now and then one of them sends a chat message. Reported: connections dropped (any
channel), fresh room.state frames the server sent for nothing (a relay that flapped), chat
messages lost, and how long a chat took to arrive (p50 / max), beside a reference in the same
run: the same message's round trip to its own sender's process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ir_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/quiet_rooms.py --minutes 10 --rooms 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

from tests.conftest import make_doc_room  # noqa: E402
from tests.control_client import ControlClient  # noqa: E402
from tests.editor.yclient import YClient  # noqa: E402
from tests.servers import DaphneServer  # noqa: E402

PING_S = 20


def control_url(server: DaphneServer, room, role: str) -> str:
    return f"{server.ws_url}/ws/rooms/{room.room.id}/?token={room.tokens[role]}"


async def one_room(room, here, there, seconds: float, seed: int) -> dict:
    interviewer = await ControlClient(control_url(here, room, "interviewer")).connect()
    candidate = await ControlClient(control_url(there, room, "candidate")).connect()
    editors = [
        await YClient(room.url(here, "interviewer")).connect(),
        await YClient(room.url(there, "candidate")).connect(),
    ]
    rng = random.Random(seed)
    delays, echoes, lost = [], [], 0
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    next_ping = loop.time() + PING_S
    sent = 0
    while loop.time() < end:
        await asyncio.sleep(min(rng.uniform(5, 40), max(end - loop.time(), 0)))
        if loop.time() >= next_ping:
            next_ping = loop.time() + PING_S
            for client in (interviewer, candidate):
                await client.send({"type": "ping", "t": 1})
        if loop.time() >= end:
            break
        sender, receiver = (interviewer, candidate) if sent % 2 else (candidate, interviewer)
        text = f"quiet {seed}.{sent}"
        start = time.perf_counter()
        await sender.send({"type": "chat.send", "text": text})

        def is_it(frame, text=text):
            return frame["message"]["text"] == text

        try:
            await sender.next("chat.message", timeout=10, where=is_it)
            echoes.append(time.perf_counter() - start)
            await receiver.next("chat.message", timeout=10, where=is_it)
            delays.append(time.perf_counter() - start)
        except (TimeoutError, AssertionError):
            lost += 1
        sent += 1
    clients = [interviewer, candidate, *editors]
    result = {
        "dropped": sum(not client.online for client in clients),
        "refreshes": len(interviewer.of("room.state")) + len(candidate.of("room.state")) - 2,
        "reconnects": sum(editor.kinds.count("sync1") - 1 for editor in editors),
        "sent": sent,
        "lost": lost,
        "delays": delays,
        "echoes": echoes,
    }
    for client in clients:
        if client.online:
            await client.disconnect()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rooms", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    rooms = [make_doc_room(f"quiet {i}") for i in range(args.rooms)]
    here, there = DaphneServer().start(), DaphneServer().start()

    async def all_rooms() -> list[dict]:
        seconds = args.minutes * 60
        return await asyncio.gather(
            *(one_room(room, here, there, seconds, seed) for seed, room in enumerate(rooms))
        )

    try:
        results = asyncio.run(all_rooms())
    finally:
        here.stop()
        there.stop()
    delays = sorted(d for r in results for d in r["delays"])
    echoes = sorted(e for r in results for e in r["echoes"])
    print(
        f"{args.rooms} rooms x {args.minutes:g} min, 2 processes: "
        f"{4 * args.rooms} connections ({2 * args.rooms} control, {2 * args.rooms} document)"
    )
    print(f"dropped connections: {sum(r['dropped'] for r in results)}")
    print(f"document reconnects: {sum(r['reconnects'] for r in results)}")
    print(f"room.state refreshes for nothing: {sum(r['refreshes'] for r in results)}")
    print(f"chat sent: {sum(r['sent'] for r in results)}, lost: {sum(r['lost'] for r in results)}")
    if delays and echoes:

        def ms(values: list[float]) -> str:
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
            p50, top = statistics.median(values), values[-1]
            return f"{1000 * p50:.1f} / {1000 * p99:.1f} / {1000 * top:.1f}"

        print(
            f"chat to the other process p50/p99/max ms: {ms(delays)}; reference (back to the "
            f"sender's own process): {ms(echoes)}; p50 ratio "
            f"{statistics.median(delays) / statistics.median(echoes):.2f}x"
        )


if __name__ == "__main__":
    main()
