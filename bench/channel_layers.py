"""The relay between server processes (relay/) beside channels_redis's two channel layers.

On the same Redis, in one run: a sender relays N editor-sized updates to one room of M
connections and every member receives all of them; through each channel layer (`group_send`
to a group of M channels) and through the document channel's own relay (a PUBLISH per update
to the room's channel; the receiving process hands it to its M connections directly).
Reported: send time and time until everything is delivered, and each one's ratio to ours.

    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/channel_layers.py

Uses its own key prefix and removes its keys at the end; never flushes the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from channels_redis.core import RedisChannelLayer  # noqa: E402
from channels_redis.pubsub import RedisPubSubChannelLayer  # noqa: E402

from editor.hub import UPDATE_IDS  # noqa: E402
from relay import Relay, Relayed  # noqa: E402

PREFIX = "bench-layers"


async def relay(layer: Any, messages: int, members: int) -> tuple[float, float]:
    """Seconds to send every message, and until every member received every message."""
    channels = [await layer.new_channel() for _ in range(members)]
    for channel in channels:
        await layer.group_add("bench.room", channel)

    async def receive_all(channel: str) -> None:
        for _ in range(messages):
            await layer.receive(channel)

    receivers = [asyncio.create_task(receive_all(channel)) for channel in channels]
    await asyncio.sleep(0.2)  # subscriptions settle
    update = b"\x01\x01" + os.urandom(30)  # about one keystroke's Yjs update
    start = time.perf_counter()
    for i in range(messages):
        await layer.group_send(
            "bench.room", {"type": "doc.update", "data": update, "id": i, "prev_id": i - 1}
        )
    sent = time.perf_counter() - start
    await asyncio.wait_for(asyncio.gather(*receivers), 120)
    delivered = time.perf_counter() - start
    for channel in channels:
        await layer.group_discard("bench.room", channel)
    return sent, delivered


async def relay_own(url: str, messages: int, members: int) -> tuple[float, float]:
    """The same through our relay: one process publishes, another hands each update to its
    `members` connections (counted here, as the hub would call them)."""
    sender, receiver = Relay(url, PREFIX), Relay(url, PREFIX)
    received = [0] * members
    done = asyncio.Event()

    async def hand_to_connections(message: Relayed) -> None:
        for member in range(members):
            received[member] += 1
        if received[0] == messages:
            done.set()

    receiver.on(b"U", hand_to_connections)
    await receiver.listen("bench-room")
    await asyncio.sleep(0.2)  # the subscription settles
    update = b"\x01\x01" + os.urandom(30)
    start = time.perf_counter()
    for i in range(messages):
        sender.publish("bench-room", b"U", UPDATE_IDS.pack(i + 1, i) + update)
    sent = time.perf_counter() - start
    await asyncio.wait_for(done.wait(), 120)
    delivered = time.perf_counter() - start
    await sender.close()
    await receiver.close()
    return sent, delivered


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--members", type=int, default=2, help="connections in the room")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many, each layer")
    args = parser.parse_args()
    url = os.environ["REDIS_URL"]
    layers = {
        "list (RedisChannelLayer)": RedisChannelLayer(
            hosts=[url], prefix=PREFIX, capacity=args.messages + 100
        ),
        "pub/sub (RedisPubSubChannelLayer)": RedisPubSubChannelLayer(hosts=[url], prefix=PREFIX),
    }
    ours = "ours (editor.relay)"
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.rounds):  # interleaved, so all see the same machine
        for name, layer in layers.items():
            sent, delivered = await relay(layer, args.messages, args.members)
            if name not in best or delivered < best[name][1]:
                best[name] = (sent, delivered)
        sent, delivered = await relay_own(url, args.messages, args.members)
        if ours not in best or delivered < best[ours][1]:
            best[ours] = (sent, delivered)
    for layer in layers.values():
        await layer.flush()  # only this prefix's keys

    print(f"{args.messages} relays to {args.members} members, best of {args.rounds}:")
    print("| relay | send, ms | all delivered, ms | messages/s | time / ours |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (sent, delivered) in best.items():
        rate = args.messages / delivered
        ratio = delivered / best[ours][1]
        print(
            f"| {name} | {sent * 1000:.0f} | {delivered * 1000:.0f} | {rate:.0f} | {ratio:.1f}x |"
        )


if __name__ == "__main__":
    asyncio.run(main())
