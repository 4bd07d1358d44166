"""The document channel's relay between server processes: Redis pub/sub, one channel per room.

Each process subscribes to the rooms it has open and publishes what its own connections
bring: stored updates (with their place in the log), awareness, and a query for the awareness
of connections elsewhere. A process delivers to its own connections directly, so it skips
what it published itself.

The relay is only a fast path. Publishing never waits: messages go out in pipelined batches
from a task of their own, and while Redis is failing they are dropped, because every update
is in PostgreSQL first and each process checks its open rooms against the log (editor.hub).
redis-py re-subscribes by itself when its connection comes back; the hub also re-subscribes
every DOC_RESYNC_S seconds, for a subscription Redis dropped while the connection lived on.

Why not the channel layer: a relay through it costs a group_send per connection, msgpack on
both ends and a hop through each receiving consumer's queue; on a busy 2-core machine that
was a large part of each keystroke's latency. Here a relay is one PUBLISH of the raw update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from redis import asyncio as aioredis

from editor import limits

log = logging.getLogger(__name__)

UPDATE, AWARENESS, AWARENESS_QUERY, STORED = b"U", b"A", b"Q", b"S"
KINDS = {UPDATE, AWARENESS, AWARENESS_QUERY, STORED}
_IDS = struct.Struct(">qq")  # an update's id and its predecessor's


@dataclass(frozen=True)
class Relayed:
    """A message from another process about one room."""

    room_id: str
    kind: bytes
    payload: bytes
    update_id: int = 0
    prev_id: int = 0


Handler = Callable[[Relayed], Awaitable[None]]


class Health:
    """Logs when Redis starts failing and when it works again: once per outage."""

    def __init__(self) -> None:
        self.failing = False

    def failed(self, what: str, error: BaseException) -> None:
        if not self.failing:
            log.warning("relay failing (%s: %r); relying on catch-up from the log", what, error)
        self.failing = True

    def worked(self) -> None:
        if self.failing:
            log.warning("relay works again")
        self.failing = False


class Relay:
    def __init__(self, url: str | None, prefix: str) -> None:
        self.prefix = f"{prefix}.doc."
        self.process = os.urandom(8)  # tells this process's own messages apart
        self.health = Health()
        self.handler: Handler | None = None
        self.redis = aioredis.Redis.from_url(url) if url else None
        self.pubsub = self.redis.pubsub() if self.redis is not None else None
        self.outbox: list[tuple[str, bytes]] = []
        self.flusher: asyncio.Task[None] | None = None
        self.listener: asyncio.Task[None] | None = None
        # One (un)subscribe at a time: redis-py's PubSub opens its connection on first use,
        # and concurrent first uses would each open one, all but one never read.
        self.subscribing = asyncio.Lock()

    # --- publishing -----------------------------------------------------------------------

    def publish_update(self, room_id: str, update: bytes, update_id: int, prev_id: int) -> None:
        self._publish(room_id, UPDATE + _IDS.pack(update_id, prev_id) + update)

    def publish_stored(self, room_id: str) -> None:
        """Updates were stored outside a connection (starter code): read the log."""
        self._publish(room_id, STORED)

    def publish_awareness(self, room_id: str, payload: bytes) -> None:
        self._publish(room_id, AWARENESS + payload)

    def publish_awareness_query(self, room_id: str) -> None:
        self._publish(room_id, AWARENESS_QUERY)

    def _publish(self, room_id: str, body: bytes) -> None:
        if self.redis is None or len(self.outbox) >= limits.RELAY_OUTBOX:
            return
        self.outbox.append((self.prefix + room_id, self.process + body))
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        """Everything published while a round trip is under way goes out in the next one."""
        assert self.redis is not None
        while self.outbox:
            batch, self.outbox = self.outbox, []
            try:
                async with asyncio.timeout(limits.REDIS_TIMEOUT_S):
                    pipeline = self.redis.pipeline(transaction=False)
                    for channel, message in batch:
                        pipeline.publish(channel, message)
                    await pipeline.execute()
            except Exception as error:  # lost relays: the log has them
                self.health.failed("publish", error)
                self.outbox.clear()  # it would only arrive late
            else:
                self.health.worked()

    async def drain(self) -> None:
        """Wait until what was published has gone out (or failed)."""
        if self.flusher is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.flusher)

    # --- receiving ------------------------------------------------------------------------

    async def subscribe(self, room_ids: list[str]) -> None:
        """Listen to these rooms (again: after a lost subscription it is renewed)."""
        if self.pubsub is None or not room_ids:
            return
        try:
            async with self.subscribing, asyncio.timeout(limits.REDIS_TIMEOUT_S):
                await self.pubsub.subscribe(*[self.prefix + room_id for room_id in room_ids])
        except Exception as error:  # renewed by the hub's next round
            self.health.failed("subscribe", error)
            return
        if self.listener is None or self.listener.done():
            self.listener = asyncio.get_running_loop().create_task(self._listen_forever())

    async def unsubscribe(self, room_id: str) -> None:
        if self.pubsub is None:
            return
        try:
            async with self.subscribing, asyncio.timeout(limits.REDIS_TIMEOUT_S):
                await self.pubsub.unsubscribe(self.prefix + room_id)
        except Exception as error:
            self.health.failed("unsubscribe", error)

    async def _listen_forever(self) -> None:
        assert self.pubsub is not None
        while True:
            try:
                if not self.pubsub.subscribed:
                    await asyncio.sleep(0.1)
                    continue
                message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # redis-py reconnects and re-subscribes on next use
                self.health.failed("receive", error)
                await asyncio.sleep(0.2)
                continue
            if message is not None and message["type"] == "message":
                await self._receive(message["channel"], message["data"])

    async def _receive(self, channel: bytes, data: bytes) -> None:
        if data[:8] == self.process or self.handler is None:
            return
        room_id = channel.decode(errors="replace")[len(self.prefix) :]
        kind, body = data[8:9], data[9:]
        if kind not in KINDS or (kind == UPDATE and len(body) < _IDS.size):
            log.warning("ignored a malformed relay message in room %s", room_id)
            return
        if kind == UPDATE:
            update_id, prev_id = _IDS.unpack_from(body)
            relayed = Relayed(room_id, kind, body[_IDS.size :], update_id, prev_id)
        else:
            relayed = Relayed(room_id, kind, body)
        try:
            await self.handler(relayed)
        except Exception:  # one bad message must not stop the relay; the log heals the room
            log.exception("relayed message for room %s not handled", room_id)

    async def close(self) -> None:
        for task in (self.listener, self.flusher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self.pubsub is not None:
            await self.pubsub.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        _relays.pop(asyncio.get_running_loop(), None)


_relays: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Relay] = weakref.WeakKeyDictionary()


def relay() -> Relay:
    """The running event loop's relay (one per server process)."""
    loop = asyncio.get_running_loop()
    if loop not in _relays:
        url: Any = getattr(settings, "REDIS_URL", "") or None
        _relays[loop] = Relay(url, getattr(settings, "CHANNEL_PREFIX", "room"))
    return _relays[loop]
