"""Rooms with runnable questions, real daphne processes running their code, control clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User

from editor import documents
from questions.models import Category
from rooms import actions
from rooms.actions.lifecycle import CreatedRoom
from tests.control_client import ControlClient
from tests.rooms.conftest import SECRET, make_question
from tests.servers import DaphneServer

# Each test checks a frame a role must never get against this; the hidden tests carry it.
HIDDEN = SECRET

PYTHON_TESTS = [
    {"name": "doubles two", "code": "assert double(2) == 4"},
    {"name": "doubles zero", "code": "assert double(0) == 1"},  # fails on purpose
]
HIDDEN_TESTS = [{"name": f"{HIDDEN} negative", "code": "assert double(-3) == -6, 'HIDDEN-MSG'"}]
SQL_SETUP = """CREATE TABLE pets (name text, age int);
INSERT INTO pets VALUES ('rex', 3), ('tom', 5);"""
SQL_TESTS = [{"name": "old pets", "expected": [["tom"]]}]


@dataclass
class RunRoom:
    created: CreatedRoom
    python: int  # question ids
    sql: int
    prose: int

    @property
    def id(self) -> str:
        return self.created.room.id

    def url(self, server: DaphneServer, role: str) -> str:
        return f"{server.ws_url}/ws/rooms/{self.id}/?token={self.created.tokens[role]}"

    async def client(self, server: DaphneServer, role: str) -> ControlClient:
        return await ControlClient(self.url(server, role)).connect()

    def set_code(self, question: int, code: str) -> None:
        """The question's code as the shared editor holds it (first write to its Y.Text)."""
        assert documents.insert_text(self.id, f"q-{question}", code)


def make_run_room(kind: str = "interview", title: str = "Run room") -> RunRoom:
    owner = User.objects.get_or_create(username="runner-owner")[0]
    category = Category.objects.get_or_create(slug="coding", defaults={"name": "Coding"})[0]
    python = make_question(
        f"double-{title}".lower().replace(" ", "-"),
        category,
        starter_code="",
        visible_tests=PYTHON_TESTS,
        hidden_tests=HIDDEN_TESTS,
    )
    sql = make_question(
        f"pets-{title}".lower().replace(" ", "-"),
        category,
        language="sql",
        starter_code="",
        setup_sql=SQL_SETUP,
        visible_tests=SQL_TESTS,
        hidden_tests=[],
    )
    prose = make_question(
        f"design-{title}".lower().replace(" ", "-"), category, language="text", starter_code=""
    )
    created = actions.create_room(owner, title, None, kind=kind)
    for question in (python, sql, prose):
        actions.show_question(created.seats["interviewer"], question.id)
    return RunRoom(created, python.id, sql.id, prose.id)


@pytest.fixture
def run_room(transactional_db) -> RunRoom:
    return make_run_room()


@pytest.fixture(scope="module")
def local_server(django_db_setup, django_db_blocker):
    """One daphne process running code in its own pool, two at a time."""
    with django_db_blocker.unblock():
        server = DaphneServer(env={"RUNNER_QUEUE": "local", "RUNNER_CONCURRENCY": "2"}).start()
    yield server
    server.stop()


def run_frames(client: ControlClient, run: str | None = None) -> list[dict[str, Any]]:
    return [
        frame
        for frame in client.frames
        if frame["type"].startswith("run.") and (run is None or frame.get("run") == run)
    ]


async def finished(client: ControlClient, run: str, timeout: float = 20) -> dict[str, Any]:
    return await client.next("run.finished", timeout=timeout, run=run)
