"""The document channel's relay: Redis pub/sub channel layer beside the list-based one.

Both layers of channels_redis, on the same Redis, in one run: a sender `group_send`s N
editor-sized messages to a group of M channels (one room's connections) and every member
receives all of them. Reported: send time and time until everything is delivered, per layer,
and pub/sub's speed-up as a ratio.

    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/channel_layers.py

Uses its own key prefix and removes its keys at the end; never flushes the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

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
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.rounds):  # interleaved, so both see the same machine
        for name, layer in layers.items():
            sent, delivered = await relay(layer, args.messages, args.members)
            if name not in best or delivered < best[name][1]:
                best[name] = (sent, delivered)
    for layer in layers.values():
        await layer.flush()  # only this prefix's keys

    print(f"{args.messages} group_send to {args.members} members, best of {args.rounds}:")
    print("| layer | send, ms | all delivered, ms | messages/s |")
    print("| --- | ---: | ---: | ---: |")
    for name, (sent, delivered) in best.items():
        rate = args.messages / delivered
        print(f"| {name} | {sent * 1000:.0f} | {delivered * 1000:.0f} | {rate:.0f} |")
    (_, listed), (_, pubsub) = best.values()
    print(f"\npub/sub delivers {listed / pubsub:.1f}x faster")


if __name__ == "__main__":
    asyncio.run(main())
