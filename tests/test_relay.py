"""The relay between server processes: a burst of messages about a room reaches the other
process whole and in order (many come in one read from Redis), and rooms listened to after a
burst still get theirs."""

import asyncio
import os

from relay import Relay, Relayed


async def test_a_burst_reaches_the_other_process_whole_and_in_order():
    prefix = f"test-relay-{os.getpid()}"
    here, there = Relay(os.environ["REDIS_URL"], prefix), Relay(os.environ["REDIS_URL"], prefix)
    got: list[Relayed] = []

    async def note(message: Relayed) -> None:
        got.append(message)

    there.on(b"U", note)
    try:
        await there.listen("a")
        for i in range(2000):  # published in pipelined batches: read in large chunks there
            here.publish("a", b"U", b"%d" % i)
        await here.drain()
        await _until(lambda: len(got) >= 2000)
        assert [m.body for m in got] == [b"%d" % i for i in range(2000)]
        assert {m.room_id for m in got} == {"a"}

        await there.unlisten("a")
        await there.listen("b")
        here.publish("a", b"U", b"not listened to")
        here.publish("b", b"U", b"after")
        await here.drain()
        await _until(lambda: len(got) > 2000)
        await asyncio.sleep(0.2)
        assert [(m.room_id, m.body) for m in got[2000:]] == [("b", b"after")]
    finally:
        await here.close()
        await there.close()


async def _until(check, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.02)
