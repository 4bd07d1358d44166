"""Typing helpers for the document tests: unique markers, so losses and duplicates show."""

from __future__ import annotations

import asyncio
import random
import re

from asgiref.sync import sync_to_async

from editor import documents
from tests.editor.yclient import YClient, eventually

MARKER = re.compile(r"<([a-z]+\d+)>")


def insert_marker(client: YClient, name: str, marker: str, rng: random.Random) -> None:
    """Insert `<marker>` between two markers (never inside one), at a random place."""
    text = client.text(name)
    current = str(text)
    boundaries = [0] + [m.end() for m in MARKER.finditer(current)]
    text.insert(rng.choice(boundaries), f"<{marker}>")


def markers(code: str) -> list[str]:
    return MARKER.findall(code)


class Typist:
    """Types `<{who}{i}>` markers into one client until stopped; remembers what it typed."""

    def __init__(self, client: YClient, name: str, who: str, seed: int) -> None:
        self.client, self.name, self.who = client, name, who
        self.rng = random.Random(seed)
        self.typed: list[str] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> Typist:
        self._task = asyncio.create_task(self._type())
        return self

    async def _type(self) -> None:
        while not self._stop.is_set():
            marker = f"{self.who}{len(self.typed)}"
            insert_marker(self.client, self.name, marker, self.rng)
            self.typed.append(marker)
            await asyncio.sleep(0.005 + self.rng.random() * 0.02)

    async def stop(self) -> None:
        self._stop.set()
        if self._task:
            await self._task


def two_typists(alice: YClient, bob: YClient, name: str, seed: int) -> list[Typist]:
    """alice types `a` markers and bob `b` markers into the same text until stopped."""
    return [Typist(alice, name, "a", seed).start(), Typist(bob, name, "b", seed + 1).start()]


async def stored_code(room_id: str, name: str) -> str:
    return (await sync_to_async(documents.code_now)(room_id, [name]))[name]


async def converged(clients: list[YClient], room_id: str, name: str, timeout: float = 20) -> str:
    """Wait until every client and the stored document hold the same code; return it."""

    async def same() -> bool:
        codes = {client.code(name) for client in clients}
        return len(codes) == 1 and codes == {await stored_code(room_id, name)}

    await eventually(same, timeout=timeout, interval=0.2)
    return clients[0].code(name)


def assert_each_once(code: str, typed: list[str]) -> None:
    """Nothing lost, nothing duplicated: every typed marker is there exactly once."""
    found = markers(code)
    assert sorted(found) == sorted(typed), (
        f"lost: {sorted(set(typed) - set(found))[:10]}, "
        f"duplicated: {sorted({m for m in found if found.count(m) > 1})[:10]}"
    )
