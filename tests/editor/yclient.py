"""A y-websocket client in Python for tests: a pycrdt Doc kept in sync over a real websocket."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from typing import Any

import websockets
from pycrdt import Doc, Text

from editor.protocol import (
    create_awareness_message,
    create_sync_step1_message,
    create_sync_step2_message,
    create_update_message,
    parse_awareness,
    parse_message,
)


class YClient:
    def __init__(self, url: str, origin: str | None = None) -> None:
        self.url = url
        self.origin = origin
        self.doc: Doc = Doc()
        self.ws: Any = None
        self.synced = asyncio.Event()
        self.awareness: list[bytes] = []
        self.awareness_states: dict[int, str] = {}  # others' states as this client sees them
        self.kinds: list[str] = []  # the kind of every message received, in order
        self.closed: asyncio.Future[tuple[int, str]] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._outbox: list[bytes] = []  # local updates made while offline
        self._sub = self.doc.observe(self._on_local_update)
        self._applying_remote = False

    def _on_local_update(self, event: Any) -> None:
        if self._applying_remote:
            return
        update = event.update
        if self.ws is not None and self.synced.is_set():
            asyncio.get_running_loop().create_task(self._send(create_update_message(update)))
        else:
            self._outbox.append(update)

    async def _send(self, frame: bytes) -> None:
        with contextlib.suppress(Exception):
            await self.ws.send(frame)

    async def connect(self, timeout: float = 10) -> YClient:
        self.synced.clear()
        headers = {"Origin": self.origin} if self.origin else None
        self.ws = await websockets.connect(self.url, additional_headers=headers, max_size=None)
        self.closed = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())
        await self.ws.send(create_sync_step1_message(self.doc.get_state()))
        try:
            await asyncio.wait_for(self.synced.wait(), timeout)
        except TimeoutError:
            await self.disconnect()
            raise
        for update in self._outbox:
            await self.ws.send(create_update_message(update))
        self._outbox.clear()
        return self

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                message = parse_message(frame)
                self.kinds.append(message.kind)
                if message.kind == "sync1":
                    diff = self.doc.get_update(message.payload)
                    await self.ws.send(create_sync_step2_message(diff))
                elif message.kind in ("sync2", "update"):
                    self._applying_remote = True
                    try:
                        self.doc.apply_update(message.payload)
                    finally:
                        self._applying_remote = False
                    if message.kind == "sync2":
                        self.synced.set()
                elif message.kind == "awareness":
                    self.awareness.append(message.payload)
                    for entry in parse_awareness(message.payload):
                        if entry.state == "null":
                            self.awareness_states.pop(entry.client_id, None)
                        else:
                            self.awareness_states[entry.client_id] = entry.state
        except websockets.ConnectionClosed:
            pass
        finally:
            rcvd = self.ws.protocol.close_rcvd
            if self.closed is not None and not self.closed.done():
                self.closed.set_result((rcvd.code, rcvd.reason) if rcvd else (1006, ""))
            self.synced.clear()

    async def reconnect(self, timeout: float = 20) -> YClient:
        """Connect again, as the y-websocket provider does: retry until a server answers,
        then sync both ways (our offline edits go up, what we missed comes down)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                return await self.connect(timeout=5)
            except (TimeoutError, OSError, websockets.WebSocketException):
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)

    @property
    def online(self) -> bool:
        return self.closed is not None and not self.closed.done()

    async def resync(self) -> None:
        """Ask the server for anything we lack (the provider's `resyncInterval`)."""
        await self._send(create_sync_step1_message(self.doc.get_state()))

    async def send_raw(self, frame: bytes) -> None:
        await self.ws.send(frame)

    async def send_awareness(self, payload: bytes) -> None:
        await self.ws.send(create_awareness_message(payload))

    async def disconnect(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            if self._reader:
                await self._reader
        self.ws = None

    async def drop(self) -> None:
        """Lose the connection abruptly (no closing handshake), as a network does."""
        if self.ws is not None:
            self.ws.transport.abort()
            if self._reader:
                await self._reader
        self.ws = None

    def text(self, name: str = "q-1") -> Text:
        return self.doc.get(name, type=Text)

    def code(self, name: str = "q-1") -> str:
        return str(self.text(name))


async def eventually(check: Any, timeout: float = 10, interval: float = 0.05) -> None:
    """Wait until check() (plain or async) is true; fail otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
