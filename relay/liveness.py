"""Which server processes are alive, so that presence forgets the connections of a process
that died without a word (SIGKILL, a crashed server) within a second, not after FRESH.

Each process holds a Redis pub/sub subscription to a channel of its own,
`<prefix>.process.<id>`, and lists its id in the set `<prefix>.processes` once Redis shows
that subscription. When a process dies, the system closes its sockets and Redis drops the
subscription at once: a listed id whose channel has no subscriber is a dead process. The
process id is part of each presence connection id (`c.<process>.<random>`).

Whatever is uncertain counts as alive, and then only FRESH forgets connections, as before:
Redis failing or up for less than REDIS_UP_S (after a restart the subscriptions take a moment
to come back), an id that is not listed (a Redis restarted empty lists each process again once
it has subscribed), a connection id of another form. A machine that vanishes without closing
its sockets (power cut) keeps its subscription until Redis's TCP keepalive notices; FRESH
covers that too. On the embedded default (one process, no Redis) every process is alive.

A process that loses its own Redis connection for a moment looks dead meanwhile: its
connections are forgotten, and each joins again at its next ping or heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import redis as sync_redis
from django.conf import settings

from relay import redis

log = logging.getLogger(__name__)

PROCESS = uuid.uuid4().hex[:16]  # this server process
CHECK_S = 1.0  # how often a process renews its listing and looks for dead ones
START_S = 2.0  # a first connection waits at most this long for the process to be listed
TIMEOUT_S = 1.0  # a liveness question to Redis taking longer is left unanswered (all alive)
REDIS_UP_S = 10  # nobody is judged dead by a Redis up for less (its subscribers come back)

OnDead = Callable[[set[str]], Awaitable[set[str]]]


def connection_id() -> str:
    """A presence connection id that names this process."""
    return f"c.{PROCESS}.{uuid.uuid4().hex}"


def process_of(connection_id: str) -> str | None:
    prefix, _, rest = connection_id.partition(".")
    process, _, random = rest.partition(".")
    return process if prefix == "c" and process and random else None


def _names() -> tuple[str, str]:
    prefix = getattr(settings, "CHANNEL_PREFIX", "room")
    return f"{prefix}.processes", f"{prefix}.process."


def _url() -> str | None:
    return getattr(settings, "REDIS_URL", "") or None


def _ask(pipe: Any, processes: list[str]) -> None:
    """Queue the questions: how long Redis has been up, is each process listed, and how many
    subscribe to its channel."""
    listed_key, channel = _names()
    pipe.info("server")
    for process in processes:
        pipe.sismember(listed_key, process)
    pipe.pubsub_numsub(*[channel + process for process in processes])


def _dead_from(processes: list[str], answers: list[Any]) -> set[str]:
    """Listed, and nobody subscribed: dead; unless Redis has just started (a Redis that kept
    the list on disk lists processes whose subscriptions are still on their way back)."""
    server, *listed, counts = answers
    if server.get("uptime_in_seconds", 0) < REDIS_UP_S:
        return set()
    return {p for p, on, (_, n) in zip(processes, listed, counts, strict=True) if on and n == 0}


_clients: dict[str, sync_redis.Redis] = {}
_unasked_until: dict[str, float] = {}  # after a failure, not asked for a while: joins must not wait


def dead(processes: Iterable[str]) -> set[str]:
    """The processes among these known to be dead (from sync code: actions, which hold the
    room's lock meanwhile)."""
    processes = sorted(set(processes) - {PROCESS})
    url = _url()
    if not processes or url is None or time.monotonic() < _unasked_until.get(url, 0):
        return set()
    if url not in _clients:
        _clients[url] = sync_redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
        )
    try:
        pipe = _clients[url].pipeline(transaction=False)
        _ask(pipe, processes)
        return _dead_from(processes, pipe.execute())
    except Exception as error:  # can't tell: alive
        log.warning("liveness unknown (%r); stale connections go after FRESH", error)
        _unasked_until[url] = time.monotonic() + REDIS_UP_S
        return set()


class Announcer:
    """This process's subscription and listing, renewed every CHECK_S; each round it also
    hands the dead processes it sees to `on_dead` (which returns those fully forgotten, to
    be unlisted)."""

    def __init__(self, url: str) -> None:
        self.redis = redis.client(url)
        self.pubsub = self.redis.pubsub()
        self.listed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.on_dead: OnDead | None = None

    async def start(self, on_dead: OnDead) -> None:
        self.on_dead = on_dead
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._run())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listed.wait(), START_S)

    async def _run(self) -> None:
        while True:
            try:
                await self._round()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis failing: try again next round
                log.debug("liveness round failed: %r", error)
                await asyncio.sleep(CHECK_S)

    async def _round(self) -> None:
        listed_key, channel = _names()
        mine = channel + PROCESS
        async with asyncio.timeout(TIMEOUT_S * 3):
            if not self.pubsub.subscribed:
                await self.pubsub.subscribe(mine)
            await self.pubsub.get_message(timeout=0)  # reads: redis-py notices a lost link
            # Listed only once Redis shows the subscription: a listed id is never judged dead
            # for a subscription that is still on its way (after a Redis restart).
            ((_, subscribers),) = await self.redis.pubsub_numsub(mine)
            if subscribers:
                await self.redis.sadd(listed_key, PROCESS)
                self.listed.set()
            listed = await self.redis.smembers(listed_key)
            others = [p.decode() if isinstance(p, bytes) else p for p in listed]
            others = [p for p in others if p != PROCESS]
            gone: set[str] = set()
            if others:
                pipe = self.redis.pipeline(transaction=False)
                _ask(pipe, others)
                gone = _dead_from(others, await pipe.execute())
        if gone and self.on_dead is not None:
            forgotten = await self.on_dead(gone)
            if forgotten:
                await self.redis.srem(listed_key, *forgotten)
        await asyncio.sleep(CHECK_S)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task
        await self.pubsub.aclose()
        await self.redis.aclose()
        _announcers.pop(asyncio.get_running_loop(), None)


_announcers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Announcer] = (
    weakref.WeakKeyDictionary()
)


async def announce(on_dead: OnDead) -> None:
    """This process is alive (from its first presence connection on); no-op without Redis."""
    url = _url()
    if url is None:
        return
    loop = asyncio.get_running_loop()
    if loop not in _announcers:
        _announcers[loop] = Announcer(url)
    await _announcers[loop].start(on_dead)


async def close() -> None:
    with contextlib.suppress(RuntimeError, KeyError):
        announcer = _announcers.get(asyncio.get_running_loop())
        if announcer is not None:
            await announcer.close()
