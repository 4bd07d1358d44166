"""The relay between server processes: a burst of messages about a room reaches the other
process whole and in order (many come in one read from Redis), and rooms listened to after a
burst still get theirs. Redis answers nothing to what is published (relay.publisher): a Redis
that restarted or hangs is noticed all the same, and the rooms that lost messages heal."""

import asyncio
import contextlib
import itertools
import os
import signal
from collections.abc import AsyncIterator

import relay as relay_module
from relay import MISSED, Relay, Relayed


@contextlib.asynccontextmanager
async def two_processes(url: str) -> AsyncIterator[tuple[Relay, Relay]]:
    """The relays of two server processes on this Redis, closed afterwards."""
    prefix = f"test-relay-{os.getpid()}"
    here, there = Relay(url, prefix), Relay(url, prefix)
    try:
        yield here, there
    finally:
        await here.close()
        await there.close()


def received(relay: Relay, kind: bytes) -> list[Relayed]:
    """The messages of this kind the relay hands its process, as they come."""
    got: list[Relayed] = []

    async def note(message: Relayed) -> None:
        got.append(message)

    relay.on(kind, note)
    return got


async def test_a_burst_reaches_the_other_process_whole_and_in_order():
    async with two_processes(os.environ["REDIS_URL"]) as (here, there):
        got = received(there, b"U")
        await there.listen("a")
        for i in range(2000):  # written together: read in large chunks there
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


async def test_messages_that_trickle_in_arrive_in_order_while_rooms_come_and_go():
    """Messages one by one, as typing sends them (the listener then reads the socket itself,
    in windows of relay.DIRECT_S): every one arrives, in order, and a room listened to or
    left meanwhile gets exactly the messages published while it is listened to."""
    async with two_processes(os.environ["REDIS_URL"]) as (here, there):
        got = received(there, b"U")
        await there.listen("a")
        sent = []
        for i in range(150):  # about three seconds: several windows
            if i == 60:
                await there.listen("b")
            if i == 100:
                await there.unlisten("a")
            if i in (60, 100):
                await asyncio.sleep(0.1)  # the (un)subscribe reaches Redis first
            for room in ("a", "b"):
                here.publish(room, b"U", b"%s%d" % (room.encode(), i))
                listened = room == "a" and i < 100 or room == "b" and i >= 60
                if listened:
                    sent.append((room, b"%s%d" % (room.encode(), i)))
            await asyncio.sleep(0.02)
        await here.drain()
        await _until(lambda: len(got) >= len(sent))
        await asyncio.sleep(0.2)
        assert [(m.room_id, m.body) for m in got] == sent
        assert not there.health.failing


async def test_a_subscription_redis_dropped_is_renewed_while_messages_keep_coming(monkeypatch):
    monkeypatch.setattr(relay_module, "RENEW_S", 1.0)
    async with two_processes(os.environ["REDIS_URL"]) as (here, there):
        got = received(there, b"U")
        await there.listen("a")

        async def keep_publishing() -> None:
            for i in itertools.count():
                here.publish("a", b"U", b"%d" % i)
                await asyncio.sleep(0.02)

        publishing = asyncio.create_task(keep_publishing())
        try:
            await _until(lambda: len(got) >= 10)
            # Redis forgets the subscription, the connection lives on (as after a failover
            # behind a proxy): the listener must renew it, however busy it is.
            assert there.pubsub is not None and there.pubsub.connection is not None
            channel = there.channel("a").encode()
            there.pubsub.connection._writer.write(
                b"*2\r\n$11\r\nUNSUBSCRIBE\r\n$%d\r\n%b\r\n" % (len(channel), channel)
            )
            await asyncio.sleep(0.3)
            dropped_at = len(got)
            await _until(lambda: len(got) > dropped_at + 10)
            numbers = [int(m.body) for m in got]
            assert numbers != list(range(len(numbers)))  # some were missed meanwhile
        finally:
            publishing.cancel()


async def test_after_redis_restarts_the_first_message_published_arrives(own_redis):
    async with two_processes(own_redis.url) as (here, there):
        got, missed = received(there, b"U"), received(there, MISSED)
        await there.listen("a")
        here.publish("a", b"U", b"before")
        await _until(lambda: [m.body for m in got] == [b"before"])

        own_redis.kill()
        await asyncio.sleep(0.3)
        own_redis.start()
        await _until(lambda: len(own_redis.client().client_list(_type="pubsub")) == 1)
        here.publish("a", b"U", b"after")  # written on a new connection, not the dead one
        await _until(lambda: [m.body for m in got] == [b"before", b"after"])
        # What it published may have been lost: the room heals.
        await _until(lambda: [m.room_id for m in missed] == ["a"])


async def test_a_hanging_redis_is_given_up_on_and_its_rooms_heal_once_it_is_back(own_redis):
    assert own_redis.process is not None
    async with two_processes(own_redis.url) as (here, there):
        missed = received(there, MISSED)
        await there.listen("a")
        here.publish("a", b"U", b"first")
        await here.drain()
        own_redis.process.send_signal(signal.SIGSTOP)
        try:
            for _ in range(3000):  # 30 MB nobody takes: publishing never waits for it
                here.publish("a", b"U", b"x" * 10_000)
                await asyncio.sleep(0)
            await asyncio.sleep(0.2)
        finally:
            own_redis.process.send_signal(signal.SIGCONT)
        await asyncio.sleep(0.5)
        here.publish("b", b"U", b"back")  # a new connection: the rooms that lost messages heal
        await _until(lambda: "a" in [m.room_id for m in missed])


async def test_a_redis_that_refuses_to_turn_replies_off_still_relays(own_redis):
    own_redis.client().acl_setuser(
        "default", enabled=True, nopass=True, keys=["~*"], channels=["*"],
        commands=["+@all", "-client"],
    )  # fmt: skip
    async with two_processes(own_redis.url) as (here, there):
        got = received(there, b"U")
        await there.listen("a")
        for i in range(3000):  # each answered: the answers are read and dropped
            here.publish("a", b"U", b"%d" % i)
            if i % 100 == 0:
                await asyncio.sleep(0)
        await _until(lambda: len(got) == 3000)
        assert [m.body for m in got] == [b"%d" % i for i in range(3000)]
        assert not here.health.failing


async def _until(check, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.02)
