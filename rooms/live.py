"""Who is connected on this server process, and how frames reach every connection of a room.

A change committed by an action is published here (rooms.actions.broadcast): this process
hands each frame to its own connections of the room whose audience it is, and the relay
carries it to the other processes, which do the same. Audiences are roles and seats: what is
meant for interviewers (notes, scores, the full question) reaches only interviewer
connections, and an observer is never announced to a candidate.

When Redis fails, frames still reach this process's connections, and nothing is lost for the
others: every change is in PostgreSQL, and once Redis works again each process refreshes its
connections (a fresh `room.state`) for every room it may have missed frames of.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from config.per_loop import PerLoop
from relay import MISSED, Relayed, relay

log = logging.getLogger(__name__)

FRAMES = b"F"  # relay kind: frames for a room's connections
ROLES = frozenset({"interviewer", "candidate", "observer"})


@dataclass(frozen=True)
class Audience:
    """Who receives a frame: every connection of these roles, and of these seats."""

    roles: frozenset[str] = frozenset()
    seats: frozenset[int] = frozenset()

    def includes(self, role: str, seat_id: int) -> bool:
        return role in self.roles or seat_id in self.seats

    def as_json(self) -> dict[str, list[Any]]:
        return {"roles": sorted(self.roles), "seats": sorted(self.seats)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(frozenset(map(str, data["roles"])), frozenset(map(int, data["seats"])))


EVERYONE = Audience(ROLES)
INTERVIEWERS = Audience(frozenset({"interviewer"}))
NOT_INTERVIEWERS = Audience(frozenset({"candidate", "observer"}))
# Who may know about observers (their presence, their messages): not the candidate.
BEHIND_THE_GLASS = Audience(frozenset({"interviewer", "observer"}))


def only(seat_id: int) -> Audience:
    return Audience(seats=frozenset({seat_id}))


@dataclass
class Outbound:
    """What a committed change tells the room: frames per audience; `refresh` asks every
    connection to reload its seat (rights changed); `texts` are put into the shared document
    first (a question's starter code: name, text)."""

    frames: list[tuple[Audience, dict[str, Any]]] = field(default_factory=list)
    refresh: bool = False
    texts: list[tuple[str, str]] = field(default_factory=list)

    def to(self, audience: Audience, frame: dict[str, Any]) -> Outbound:
        self.frames.append((audience, frame))
        return self

    def per_role(self, build: Any) -> Outbound:
        """One frame for interviewers and one for everyone else, built by the serializer."""
        self.to(INTERVIEWERS, build("interviewer"))
        return self.to(NOT_INTERVIEWERS, build("candidate"))

    def extend(self, other: Outbound) -> Outbound:
        self.frames += other.frames
        self.refresh = self.refresh or other.refresh
        self.texts += other.texts
        return self

    def encode(self) -> bytes:
        frames = [[audience.as_json(), frame] for audience, frame in self.frames]
        return json.dumps({"frames": frames, "refresh": self.refresh}).encode()

    @classmethod
    def decode(cls, body: bytes) -> Outbound:
        data = json.loads(body)
        frames = [(Audience.from_json(to), frame) for to, frame in data["frames"]]
        return cls(frames=frames, refresh=bool(data["refresh"]))


class Member(Protocol):
    """A control connection of this process."""

    role: str
    seat_id: int

    async def deliver(self, frame: dict[str, Any]) -> None: ...

    async def refresh(self) -> None:
        """Reload the seat: close if it may no longer enter, else send a fresh room.state."""


class Registry:
    def __init__(self) -> None:
        self.rooms: dict[str, set[Member]] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    async def add(self, room_id: str, member: Member) -> None:
        self.rooms.setdefault(room_id, set()).add(member)
        bus = relay()
        bus.on(FRAMES, self.on_relayed)
        bus.on(MISSED, self.on_relayed)
        bus.on_recovered(self.refresh_all)
        await bus.listen(room_id)

    async def remove(self, room_id: str, member: Member) -> None:
        members = self.rooms.get(room_id)
        if members is None or member not in members:
            return
        members.discard(member)
        if not members:
            del self.rooms[room_id]
        await relay().unlisten(room_id)

    def members(self, room_id: str) -> list[Member]:
        return list(self.rooms.get(room_id, ()))

    async def deliver_here(self, room_id: str, out: Outbound) -> None:
        for member in self.members(room_id):
            for audience, frame in out.frames:
                if audience.includes(member.role, member.seat_id):
                    await _isolated(member.deliver(frame))
            if out.refresh:
                self._spawn(member.refresh())

    async def on_relayed(self, message: Relayed) -> None:
        if message.room_id not in self.rooms:
            return
        if message.kind == MISSED:
            self._refresh(self.members(message.room_id))
            return
        try:
            out = Outbound.decode(message.body)
        except (ValueError, KeyError, TypeError):
            log.warning("ignored malformed frames relayed for room %s", message.room_id[:40])
            return
        await self.deliver_here(message.room_id, out)

    async def refresh_all(self) -> None:
        """Redis works again: frames relayed meanwhile may be lost; PostgreSQL has it all."""
        self._refresh(member for members in self.rooms.values() for member in members)

    def _refresh(self, members: Iterable[Member]) -> None:
        for member in members:
            self._spawn(member.refresh())

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(_isolated(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


async def _isolated(work: Any) -> None:
    """One connection's failure (closing while we send) never reaches another."""
    try:
        await work
    except Exception as error:
        log.info("a room connection failed a send: %r", error)


async def publish(room_id: str, out: Outbound) -> None:
    """Hand a committed change to every connection of the room, here and on other processes."""
    if not out.frames and not out.refresh:
        return
    await registry().deliver_here(room_id, out)
    relay().publish(room_id, FRAMES, out.encode())


_registries = PerLoop(Registry)


def registry() -> Registry:
    """The running event loop's connections (one registry per server process)."""
    return _registries.get()
