"""Messages between server processes about a room: Redis pub/sub, one channel per room.

Each process subscribes to the rooms it has connections in and publishes what its own
connections bring; it delivers to its own connections directly and skips what it published
itself. A message is a kind (one byte) and a body; each part of the server registers a handler
for its kinds (the shared editor for document updates and awareness, the control channel for
its frames).

The relay is only a fast path: PostgreSQL holds everything a message carries. Publishing never
waits and never raises: messages go out at the end of the event loop's turn, on a connection
that takes no replies (relay.publisher), and while Redis is failing they are dropped. When
Redis works again after failing, the relay tells every process what it may have missed: its
own `on_recovered` callbacks run (they refresh this process's rooms from PostgreSQL), and for
each room whose messages it dropped it publishes a MISSED message, whose handlers on the other
processes do the same for that room.
redis-py re-subscribes by itself when its connection comes back; the relay also renews its
subscriptions every RENEW_S seconds, for one Redis dropped while the connection lived on.

Why not a channel layer: a relay through one costs a group_send per connection, msgpack on
both ends and a hop through each receiving consumer's queue (5x slower than this to a room,
bench/channel_layers.py), and a channel layer call fails while Redis is down, where a room
must keep working.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from redis._parsers.hiredis import NOT_ENOUGH_DATA

from config.per_loop import PerLoop
from relay import redis
from relay.publisher import Publisher

log = logging.getLogger(__name__)

MISSED = b"!"  # "messages of mine about this room were lost": refresh it from PostgreSQL
TIMEOUT_S = 2.0  # a call to Redis taking longer is given up (Redis hanging)
RENEW_S = 10.0  # subscriptions are renewed this often
DIRECT_S = 1.0  # how long the listener reads the socket directly before asking redis-py again
READ_BYTES = 65536


@dataclass(frozen=True)
class Relayed:
    """A message from another process about one room."""

    room_id: str
    kind: bytes
    body: bytes


Handler = Callable[[Relayed], Awaitable[None]]
Recovered = Callable[[], Awaitable[None]]


class Health:
    """Whether Redis works; logs when it starts failing and when it works again, once each."""

    def __init__(self) -> None:
        self.failing = False

    def failed(self, what: str, error: BaseException) -> None:
        if not self.failing:
            log.warning("relay failing (%s: %r); rooms heal from PostgreSQL", what, error)
        self.failing = True

    def worked(self) -> bool:
        """Returns True when Redis works again after failing."""
        if not self.failing:
            return False
        log.warning("relay works again")
        self.failing = False
        return True


class Relay:
    def __init__(self, url: str | None, prefix: str) -> None:
        self.prefix = f"{prefix}.room."
        self.process = os.urandom(8)  # tells this process's own messages apart
        self.health = Health()
        self.handlers: dict[bytes, list[Handler]] = {}
        self.recovered: list[Recovered] = []
        self.redis = redis.client(url) if url else None
        self.pubsub = self.redis.pubsub() if self.redis is not None else None
        self.publisher = (
            Publisher(self.redis, lost=self._published_lost, connected=self._worked)
            if self.redis is not None
            else None
        )
        self.dropped: set[str] = set()  # rooms whose messages were lost while Redis failed
        self.listener: asyncio.Task[None] | None = None
        self.rooms: Counter[str] = Counter()  # room -> how many parts of the process listen
        self.tasks: set[asyncio.Task[Any]] = set()
        # One (un)subscribe at a time: redis-py's PubSub opens its connection on first use,
        # and concurrent first uses would each open one, all but one never read.
        self.subscribing = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        """False on the embedded default (one process, no Redis): nothing to relay."""
        return self.redis is not None

    def channel(self, room_id: str) -> str:
        return self.prefix + room_id

    def on(self, kind: bytes, handler: Handler) -> None:
        """Call `handler` with every message of this kind from another process (once)."""
        handlers = self.handlers.setdefault(kind, [])
        if handler not in handlers:
            handlers.append(handler)

    def on_recovered(self, callback: Recovered) -> None:
        """Call `callback` each time Redis works again after failing."""
        if callback not in self.recovered:
            self.recovered.append(callback)

    # --- publishing -----------------------------------------------------------------------

    def publish(self, room_id: str, kind: bytes, body: bytes = b"") -> None:
        """Send a message to the other processes; never waits, never raises."""
        if self.publisher is not None:
            channel = self.channel(room_id).encode()
            self.publisher.publish(room_id, channel, self.process + kind + body)

    def _published_lost(self, room_ids: set[str], error: BaseException) -> None:
        self.health.failed("publish", error)
        self.dropped.update(room_ids)

    async def drain(self) -> None:
        """Wait until what was published has gone out (or failed)."""
        if self.publisher is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(TIMEOUT_S):
                    await self.publisher.drain()

    def _worked(self) -> None:
        if not self.health.worked():
            return
        dropped, self.dropped = self.dropped, set()
        for room_id in dropped:
            self.publish(room_id, MISSED)
        for callback in self.recovered:
            self._spawn(callback())

    def _spawn(self, work: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("relay recovery step failed")

        task = asyncio.get_running_loop().create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- receiving ------------------------------------------------------------------------

    async def listen(self, room_id: str) -> None:
        """One more part of this process wants this room's messages."""
        self.rooms[room_id] += 1
        if self.rooms[room_id] == 1:
            await self._subscribe([room_id])

    async def unlisten(self, room_id: str) -> None:
        self.rooms[room_id] -= 1
        if self.rooms[room_id] > 0:
            return
        del self.rooms[room_id]
        if self.pubsub is None:
            return
        try:
            async with self.subscribing, asyncio.timeout(TIMEOUT_S):
                await self.pubsub.unsubscribe(self.channel(room_id))
        except Exception as error:
            self.health.failed("unsubscribe", error)

    async def _subscribe(self, room_ids: list[str]) -> None:
        """Listen to these rooms (again: after a lost subscription it is renewed)."""
        if self.pubsub is None or not room_ids:
            return
        try:
            async with self.subscribing, asyncio.timeout(TIMEOUT_S):
                await self.pubsub.subscribe(*[self.channel(room_id) for room_id in room_ids])
        except Exception as error:  # renewed by the listener's next round
            self.health.failed("subscribe", error)
        if self.listener is None or self.listener.done():
            self.listener = asyncio.get_running_loop().create_task(self._listen_forever())

    async def _listen_forever(self) -> None:
        assert self.pubsub is not None
        loop = asyncio.get_running_loop()
        renew_at = loop.time() + RENEW_S
        while True:
            if loop.time() >= renew_at:
                renew_at = loop.time() + RENEW_S
                await self._subscribe(list(self.rooms))
            try:
                if not self.pubsub.subscribed:
                    await asyncio.sleep(0.1)
                    if self.rooms:
                        await self._subscribe(list(self.rooms))
                    continue
                message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # redis-py reconnects and re-subscribes on next use
                self.health.failed("receive", error)
                await asyncio.sleep(0.2)
                continue
            self._worked()
            if message is not None and message["type"] == "message":
                await self._receive(message["channel"], message["data"])
                try:
                    await self._receive_buffered()
                    await self._read_directly(min(renew_at, loop.time() + DIRECT_S))
                except Exception as error:  # as above: redis-py recovers on next use
                    self.health.failed("receive", error)

    async def _read_directly(self, until: float) -> None:
        """Once messages flow, read the subscription's socket directly until `until`: on a
        busy process nearly every wake brings one message, and get_message costs a timeout,
        a health check and a retry wrapper each time. Then back to get_message (its health
        check and reconnection, and the renewal); at once on anything unusual. Only the
        wait for bytes can time out, never the handling of what they brought."""
        assert self.pubsub is not None
        conn = self.pubsub.connection
        parser = getattr(conn, "_parser", None)
        stream = getattr(parser, "_stream", None)
        if conn is None or stream is None:
            return
        loop = asyncio.get_running_loop()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(until) as waiting:
                while True:
                    data = await stream.read(READ_BYTES)
                    waiting.reschedule(None)
                    reader = getattr(parser, "_reader", None)
                    if not data or reader is None or parser._stream is not stream:  # type: ignore[union-attr]
                        raise ConnectionError("the subscription's connection closed")
                    reader.feed(data)
                    conn.next_health_check = loop.time() + conn.health_check_interval
                    await self._receive_buffered()
                    waiting.reschedule(until)

    async def _receive_buffered(self) -> None:
        """Messages that came in the same read from the socket, taken straight from the
        hiredis reader: redis-py's get_message costs a timeout, a health check and a retry
        wrapper per message, most of the relay's time on a busy process. Anything but a plain
        message goes through redis-py's own handling (its subscription bookkeeping)."""
        assert self.pubsub is not None
        parser = getattr(self.pubsub.connection, "_parser", None)
        reader = getattr(parser, "_reader", None)
        while reader is not None:
            reply = reader.gets()
            if reply is NOT_ENOUGH_DATA:
                return
            if isinstance(reply, BaseException):
                raise reply
            if isinstance(reply, list) and len(reply) == 3 and reply[0] == b"message":
                await self._receive(reply[1], reply[2])
                continue
            if type(reply) is not list and isinstance(reply, list):  # a RESP3 push
                reply = await parser.handle_push_response(reply)  # type: ignore[union-attr]
            if reply not in self.pubsub.health_check_response:
                await self.pubsub.handle_message(reply, ignore_subscribe_messages=True)

    async def _receive(self, channel: bytes, data: bytes) -> None:
        if data[:8] == self.process:
            return
        room_id = channel.decode(errors="replace")[len(self.prefix) :]
        kind, body = data[8:9], data[9:]
        handlers = self.handlers.get(kind)
        if not handlers or len(data) < 9:
            log.warning("ignored a malformed relay message in room %s", room_id[:40])
            return
        relayed = Relayed(room_id, kind, body)
        for handler in handlers:
            try:
                await handler(relayed)
            except Exception:  # one bad message must not stop the relay; rooms heal from the log
                log.exception("relayed message for room %s not handled", room_id[:40])

    async def close(self) -> None:
        """Let what was published go out (or fail), then stop."""
        await self.drain()
        for task in (self.listener, *self.tasks):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self.pubsub is not None:
            await self.pubsub.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        if self.publisher is not None:
            await self.publisher.close()
        _relays.forget()


def _new_relay() -> Relay:
    url: Any = getattr(settings, "REDIS_URL", "") or None
    return Relay(url, getattr(settings, "CHANNEL_PREFIX", "room"))


_relays = PerLoop(_new_relay)


def relay() -> Relay:
    """The running event loop's relay (one per server process)."""
    return _relays.get()
