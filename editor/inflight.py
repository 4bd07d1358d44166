"""One connection's updates whose commit is in flight, followed to their commits in order.

The connection hands an update to the writer and goes on reading frames: a commit (and a
stall of PostgreSQL's disk) never holds the client's next keystroke. Its own updates still
reach the log in the order they came, each written only if the one before it was
(`UpdateWriter.submit(after=...)`), so the log stays causal: an update that builds on the
connection's own update in flight is stored after it, or not at all. Once an update is
stored, `on_stored` runs (in order); once one fails, `on_failed` runs once and every later
one fails with it, so the client syncs again and re-sends them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from editor.store import PendingUpdate, StoredUpdate
from editor.writer import Commit, writer

log = logging.getLogger(__name__)


class InFlight(NamedTuple):
    commit: Commit
    update: bytes
    key: bytes  # the key it is shared early under


class CommitLine:
    def __init__(
        self,
        room_id: str,
        on_stored: Callable[[InFlight, StoredUpdate], Awaitable[None]],
        on_failed: Callable[[], Awaitable[None]],
    ) -> None:
        self.room_id = room_id  # for the log
        self.on_stored = on_stored
        self.on_failed = on_failed
        self.pending: deque[InFlight] = deque()
        self.bytes_in_flight = 0  # kept as they come and go: summed, it grew with the backlog
        # client -> the clock this connection's updates reach, stored or in flight. Each was
        # taken only with its needs met (by the log or by this connection's earlier ones) and
        # is stored after those or not at all, so every clock below reaches the log before
        # this connection's next update does.
        self.ends: dict[int, int] = {}
        self.failed = False  # an update was not stored: the connection is closing
        self._follower: asyncio.Task[None] | None = None

    @property
    def size(self) -> int:
        """The size of the updates in flight (the document-size guard counts them)."""
        return self.bytes_in_flight

    def uncovered(self, needs: dict[int, int]) -> dict[int, int]:
        """The needs that this connection's own updates (stored or in flight) do not meet."""
        ends = self.ends
        return {client: clock for client, clock in needs.items() if ends.get(client, 0) < clock}

    def submit(self, pending: PendingUpdate, key: bytes, ends: dict[int, int]) -> None:
        after = self.pending[-1].commit if self.pending else None
        commit = writer().submit(pending, after=after)
        self.pending.append(InFlight(commit, pending.data, key))
        self.bytes_in_flight += len(pending.data)
        for client, end in ends.items():
            if end > self.ends.get(client, 0):
                self.ends[client] = end
        if self._follower is None or self._follower.done():
            self._follower = asyncio.get_running_loop().create_task(self._follow())

    async def drain(self) -> None:
        """Every update submitted so far is stored and followed (or has failed)."""
        if self._follower is not None:
            await asyncio.shield(self._follower)

    async def _follow(self) -> None:
        while self.pending:
            entry = self.pending[0]
            try:
                await self.on_stored(entry, await entry.commit)
            except Exception:
                if not self.failed:
                    self.failed = True
                    log.exception("update not stored in room %s", self.room_id)
                    with contextlib.suppress(Exception):
                        await self.on_failed()
            self.pending.popleft()
            self.bytes_in_flight -= len(entry.update)
