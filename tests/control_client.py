"""A control-channel client for tests against real server processes: JSON frames over a real
websocket, every frame kept, the close code noted."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import websockets


class ControlClient:
    def __init__(self, url: str, origin: str | None = "") -> None:
        self.url = url
        # A browser's Origin is the page's: the server's own (given "" here), or none (None).
        self.origin = site_origin(url) if origin == "" else origin
        self.frames: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.closed: asyncio.Future[int] | None = None
        self.ws: Any = None
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> ControlClient:
        headers = {"Origin": self.origin} if self.origin else None
        self.ws = await websockets.connect(self.url, additional_headers=headers, max_size=None)
        self.closed = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())
        await self.next("room.state")
        return self

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                self.frames.append(json.loads(text))
                self.arrived.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            rcvd = self.ws.protocol.close_rcvd
            if self.closed is not None and not self.closed.done():
                self.closed.set_result(rcvd.code if rcvd else 1006)
            self.arrived.set()

    @property
    def online(self) -> bool:
        return self.closed is not None and not self.closed.done()

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame["type"] == kind]

    async def next(
        self,
        kind: str,
        timeout: float = 5,
        where: Callable[[dict[str, Any]], bool] = lambda frame: True,
        **expected: Any,
    ) -> dict[str, Any]:
        """The first frame of this type (matching `expected` and `where`) not yet taken."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for frame in self.frames:
                if frame.get("_taken") or frame["type"] != kind:
                    continue
                matches = all(frame.get(key) == value for key, value in expected.items())
                if matches and where(frame):
                    frame["_taken"] = True
                    return frame
            if not self.online and self.closed is not None:
                raise AssertionError(f"closed ({self.closed.result()}) before a {kind} frame")
            self.arrived.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no {kind} frame within {timeout}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)

    async def close_code(self, timeout: float = 5) -> int:
        assert self.closed is not None
        return await asyncio.wait_for(asyncio.shield(self.closed), timeout)

    async def disconnect(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            if self._reader:
                await self._reader


def site_origin(ws_url: str) -> str:
    """The origin of the site a websocket URL belongs to (ws://h:p/... -> http://h:p)."""
    parts = urlsplit(ws_url)
    return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"
