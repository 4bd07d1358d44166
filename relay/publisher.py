"""Publishing to Redis on a connection of its own, with Redis's replies turned off.

Every keystroke is published twice (shown early, then committed). Through redis-py's pipeline,
a task per round trip and the replies nobody needs cost more than the rest of the relay; here
the messages published during one turn of the event loop are written at the end of that turn,
in one write, and Redis answers nothing (CLIENT REPLY OFF).

(Where an ACL refuses CLIENT REPLY, Redis answers anyway, and the answers are read and
dropped.) Without replies a failure shows in two ways: the connection closes (Redis restarted
or went away), or writes pile up unsent (Redis hangs). Either way the connection is dropped, and the
rooms whose messages may not have arrived are reported lost (the relay then tells the others
to heal those rooms from PostgreSQL, relay.MISSED). The next message opens a new connection;
while one opens, messages wait for it (a bounded number).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from redis import asyncio as aioredis

MAX_WAITING = 10_000  # messages waiting for a connection to open; beyond, they are lost
MAX_UNSENT_BYTES = 1024 * 1024  # written but not taken by Redis: it hangs
OPEN_TIMEOUT_S = 2.0
RETRY_S = 0.5  # after a connection failed to open, messages are lost this long before a retry
SENT_KEPT_S = 10.0  # rooms written this recently are reported lost if the connection fails


class Publisher:
    def __init__(
        self,
        client: aioredis.Redis,
        lost: Callable[[set[str], BaseException], None],
        connected: Callable[[], None],
    ) -> None:
        self.client = client  # its pool opens connections (address, password, TLS, database)
        self.lost = lost  # rooms whose messages may not have arrived, and why
        self.connected = connected  # a connection opened
        self.waiting: list[bytes] = []  # commands not written yet, in order
        self.waiting_rooms: set[str] = set()
        # Rooms written on the current connection recently, and the period before.
        self.sent_rooms: set[str] = set()
        self.sent_before: set[str] = set()
        self.sent_until = 0.0  # when sent_rooms becomes sent_before
        self.retry_at = 0.0
        self.conn: Any = None  # the redis-py connection, replies off
        self.opening: asyncio.Task[None] | None = None
        self.watching: asyncio.Task[None] | None = None
        self.write_soon: asyncio.Handle | None = None

    def publish(self, room_id: str, channel: bytes, message: bytes) -> None:
        if len(self.waiting) >= MAX_WAITING:
            self.lost({room_id}, OverflowError("too many messages waiting for Redis"))
            return
        self.waiting.append(b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
            len(channel), channel, len(message), message))  # fmt: skip
        self.waiting_rooms.add(room_id)
        if self.conn is None:
            if self.opening is None or self.opening.done():
                loop = asyncio.get_running_loop()
                if loop.time() < self.retry_at:
                    return self._lose(ConnectionError("Redis unreachable a moment ago"))
                self.opening = loop.create_task(self._open())
        elif self.write_soon is None:
            self.write_soon = asyncio.get_running_loop().call_soon(self._write)

    async def _open(self) -> None:
        conn = self.client.connection_pool.make_connection()
        try:
            async with asyncio.timeout(OPEN_TIMEOUT_S):
                await conn.connect()
                await conn.send_command("CLIENT", "REPLY", "OFF")
        except Exception as error:
            with contextlib.suppress(Exception):
                await conn.disconnect()
            self.retry_at = asyncio.get_running_loop().time() + RETRY_S
            self._lose(error)
            return
        self.conn = conn
        self.watching = asyncio.get_running_loop().create_task(self._watch(conn))
        self.connected()
        self._write()

    def _write(self) -> None:
        self.write_soon = None
        if self.conn is None or not self.waiting:
            return
        writer = self.conn._writer
        if writer is None or writer.is_closing():
            return self._close(ConnectionError("connection to Redis closed"))
        writer.write(b"".join(self.waiting))
        now = asyncio.get_running_loop().time()
        if now >= self.sent_until:
            self.sent_before, self.sent_rooms = self.sent_rooms, set()
            self.sent_until = now + SENT_KEPT_S
        self.sent_rooms |= self.waiting_rooms
        self.waiting, self.waiting_rooms = [], set()
        if writer.transport.get_write_buffer_size() > MAX_UNSENT_BYTES:
            self._close(TimeoutError("Redis takes no more messages"))

    async def _watch(self, conn: Any) -> None:
        """Redis says nothing on this connection: the end of what it says is its close."""
        reader = conn._reader
        error: BaseException = ConnectionError("Redis closed the connection")
        try:
            while reader is not None and await reader.read(4096):
                pass
        except Exception as failure:
            error = failure
        if self.conn is conn:
            self._close(error)

    def _close(self, error: BaseException) -> None:
        """Drop the connection; what was written on it lately may not have arrived."""
        conn, self.conn = self.conn, None
        if self.watching is not None and self.watching is not asyncio.current_task():
            self.watching.cancel()
        if conn is not None and conn._writer is not None:
            conn._writer.transport.abort()
        sent = self.sent_rooms | self.sent_before
        self.sent_rooms, self.sent_before = set(), set()
        self._lose(error, sent)

    def _lose(self, error: BaseException, sent: set[str] | None = None) -> None:
        """Report the rooms of the waiting messages (and of `sent`) lost; drop the messages."""
        rooms = self.waiting_rooms | (sent or set())
        self.waiting, self.waiting_rooms = [], set()
        self.lost(rooms, error)

    async def drain(self) -> None:
        """Until what was published has been taken by Redis (or was lost)."""
        if self.opening is not None and not self.opening.done():
            await asyncio.shield(self.opening)
        self._write()
        conn = self.conn
        if conn is not None and conn._writer is not None:
            try:
                await conn._writer.drain()
            except Exception as error:
                if self.conn is conn:
                    self._close(error)

    async def close(self) -> None:
        for task in (self.opening, self.watching):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self.write_soon is not None:
            self.write_soon.cancel()
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.disconnect()
