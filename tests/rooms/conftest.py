"""Fixtures for the room tests: a small question bank, a planned room, websocket clients."""

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, transaction

from editor.store import close_docstore
from questions.models import Category, Question, Template, TemplateItem
from relay import liveness, relay
from rooms import actions
from rooms.models import Room

# Interviewer-only values carry this marker so a leak is easy to spot in any frame.
SECRET = "INTERVIEWER-ONLY"
# The pages' own origin (settings.PUBLIC_URL's): the one browsers' handshakes come from.
ORIGIN = settings.CSRF_TRUSTED_ORIGINS[0]


def make_question(slug: str, category: Category, **fields: Any) -> Question:
    defaults: dict[str, Any] = {
        "title": slug.replace("-", " ").title(),
        "prompt": f"Prompt of {slug}",
        "difficulty": "easy",
        "language": "python",
        "starter_code": f"def {slug.replace('-', '_')}():\n    pass\n",
        "visible_tests": [{"name": "visible", "code": "assert True"}],
        "guidance": f"{SECRET} guidance",
        "rubric": [f"{SECRET} rubric"],
        "hints": [f"{SECRET} hint"],
        "solution": f"{SECRET} solution",
        "wrong_solutions": [{"name": f"{SECRET} wrong", "why": "w", "code": "pass"}],
        "steps": [{"title": f"{SECRET} step", "prompt": "p", "solution": "s", "hidden_tests": []}],
        "hidden_tests": [{"name": f"{SECRET} hidden", "code": "assert True"}],
        "follow_ups": [f"{SECRET} follow-up"],
        "red_flags": [f"{SECRET} red flag"],
    }
    return Question.objects.create(slug=slug, category=category, **{**defaults, **fields})


@pytest.fixture
def bank(db):
    """Three questions; the 'screen' template plans the first two."""
    category = Category.objects.create(slug="algorithms", name="Algorithms")
    questions = [make_question(slug, category) for slug in ("two-sum", "fizz-buzz", "lru-cache")]
    template = Template.objects.create(slug="screen", title="Phone screen")
    for position, question in enumerate(questions[:2], start=1):
        TemplateItem.objects.create(
            template=template, question=question, position=position, minutes=15
        )
    return questions


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice")


@pytest.fixture
def room(bank, alice):
    return actions.create_room(alice, "Backend screen", "screen")


@pytest.fixture
def pair_room(bank, alice):
    return actions.create_room(alice, "Practice", "screen", kind="pair")


class Client:
    """A websocket client of the control channel, as a test drives it."""

    def __init__(self, room_id: str, token: str | None, origin: str = ORIGIN) -> None:
        from config.asgi import application

        query = f"?token={token}" if token else ""
        self.ws = WebsocketCommunicator(
            application,
            f"/ws/rooms/{room_id}/{query}",
            headers=[(b"origin", origin.encode()), (b"host", b"127.0.0.1")],
        )
        self.state: dict[str, Any] | None = None

    async def open(self) -> "Client":
        connected, _ = await self.ws.connect()
        assert connected
        self.state = await self.receive()
        assert self.state["type"] == "room.state"
        return self

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))

    async def receive(self, timeout: float = 3) -> dict[str, Any]:
        return json.loads(await self.ws.receive_from(timeout=timeout))

    async def receive_type(self, kind: str, timeout: float = 3) -> dict[str, Any]:
        """The next frame of this type, skipping others (presence and the like)."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == kind:
                return frame

    async def receive_presence(self, role: str, **expected: Any) -> dict[str, Any]:
        """The next presence frame about `role` that matches `expected`."""
        while True:
            frame = await self.receive_type("presence")
            if frame["role"] == role and all(frame[k] == v for k, v in expected.items()):
                return frame

    async def drain(self, timeout: float = 0.2) -> list[dict[str, Any]]:
        """Every frame that arrives within `timeout`."""
        frames = []
        while not await self.ws.receive_nothing(timeout=timeout):
            frames.append(await self.receive())
        return frames

    async def close_code(self, timeout: float = 3) -> int:
        message = await self.ws.receive_output(timeout)
        while message["type"] != "websocket.close":
            message = await self.ws.receive_output(timeout)
        return message.get("code", 1000)

    async def close(self) -> None:
        await self.ws.disconnect()


@pytest.fixture
async def clients():
    """Opens control-channel clients and closes them all at the end of the test."""
    # A fresh channel layer per test: its locks belong to the test's event loop.
    channel_layers.backends.clear()
    opened: list[Client] = []

    async def open_client(room_id: str, token: str | None, **kwargs: Any) -> Client:
        client = await Client(room_id, token, **kwargs).open()
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        # Some tests end with the server having closed the socket already.
        with contextlib.suppress(Exception):
            await client.close()
    # The worker thread's database connection would keep the test database busy.
    await database_sync_to_async(connections.close_all)()
    await close_docstore()  # the test's event loop played a server process
    await relay().close()
    await liveness.close()
    channel_layers.backends.clear()


db_async = database_sync_to_async


@contextlib.asynccontextmanager
async def room_row_locked(room_id: str, hold_s: float) -> AsyncIterator[None]:
    """Someone else's transaction holds the room's row (SELECT ... FOR UPDATE) until the block
    ends, or `hold_s` seconds at most."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Room.objects.select_for_update().get(id=room_id)
                locked.set()
                release.wait(hold_s)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert await asyncio.to_thread(locked.wait, 5)
        yield
    finally:
        release.set()
        await asyncio.to_thread(holder.join)
