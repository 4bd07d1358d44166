"""The relay between server processes: a burst of messages about a room reaches the other
process whole and in order (many come in one read from Redis), and rooms listened to after a
burst still get theirs. Redis answers nothing to what is published (relay.publisher): a Redis
that restarted or hangs is noticed all the same, and the rooms that lost messages heal."""

import asyncio
import os
import signal

from relay import MISSED, Relay, Relayed


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


async def test_after_redis_restarts_the_first_message_published_arrives(own_redis):
    prefix = f"test-relay-{os.getpid()}"
    here, there = Relay(own_redis.url, prefix), Relay(own_redis.url, prefix)
    got: list[bytes] = []
    missed: list[str] = []

    async def note(message: Relayed) -> None:
        got.append(message.body)

    async def note_missed(message: Relayed) -> None:
        missed.append(message.room_id)

    there.on(b"U", note)
    there.on(MISSED, note_missed)
    try:
        await there.listen("a")
        here.publish("a", b"U", b"before")
        await _until(lambda: got == [b"before"])

        own_redis.kill()
        await asyncio.sleep(0.3)
        own_redis.start()
        await _until(lambda: len(own_redis.client().client_list(_type="pubsub")) == 1)
        here.publish("a", b"U", b"after")  # written on a new connection, not the dead one
        await _until(lambda: got == [b"before", b"after"])
        await _until(lambda: missed == ["a"])  # what it published may have been lost: heal
    finally:
        await here.close()
        await there.close()


async def test_a_hanging_redis_is_given_up_on_and_its_rooms_heal_once_it_is_back(own_redis):
    prefix = f"test-relay-{os.getpid()}"
    here, there = Relay(own_redis.url, prefix), Relay(own_redis.url, prefix)
    missed: list[str] = []

    async def note_missed(message: Relayed) -> None:
        missed.append(message.room_id)

    there.on(MISSED, note_missed)
    assert own_redis.process is not None
    try:
        await there.listen("a")
        here.publish("a", b"U", b"first")
        await here.drain()
        own_redis.process.send_signal(signal.SIGSTOP)
        for _ in range(3000):  # 30 MB nobody takes: publishing never waits for it
            here.publish("a", b"U", b"x" * 10_000)
            await asyncio.sleep(0)
        await asyncio.sleep(0.2)
        own_redis.process.send_signal(signal.SIGCONT)
        await asyncio.sleep(0.5)
        here.publish("b", b"U", b"back")  # a new connection: the rooms that lost messages heal
        await _until(lambda: "a" in missed)
    finally:
        own_redis.process.send_signal(signal.SIGCONT)
        await here.close()
        await there.close()


async def test_a_redis_that_refuses_to_turn_replies_off_still_relays(own_redis):
    own_redis.client().acl_setuser(
        "default", enabled=True, nopass=True, keys=["~*"], channels=["*"],
        commands=["+@all", "-client"],
    )  # fmt: skip
    prefix = f"test-relay-{os.getpid()}"
    here, there = Relay(own_redis.url, prefix), Relay(own_redis.url, prefix)
    got: list[bytes] = []

    async def note(message: Relayed) -> None:
        got.append(message.body)

    there.on(b"U", note)
    try:
        await there.listen("a")
        for i in range(3000):  # each answered: the answers are read and dropped
            here.publish("a", b"U", b"%d" % i)
            if i % 100 == 0:
                await asyncio.sleep(0)
        await _until(lambda: len(got) == 3000)
        assert got == [b"%d" % i for i in range(3000)]
        assert not here.health.failing
    finally:
        await here.close()
        await there.close()


async def _until(check, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.02)
