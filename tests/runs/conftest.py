"""Rooms with runnable questions, real daphne processes running their code, control clients."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from django.contrib.auth.models import User

from editor import documents
from questions.models import Category
from rooms import actions
from rooms.actions.lifecycle import CreatedRoom
from tests.conftest import wait_for_connections_to_close
from tests.control_client import ControlClient
from tests.rooms.conftest import SECRET, make_question
from tests.servers import ROOT, ChildProcess, DaphneServer, test_database_url

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

    async def everyone(self, server: DaphneServer) -> tuple[ControlClient, ...]:
        """The interviewer, the candidate and the observer, connected in that order."""
        roles = ("interviewer", "candidate", "observer")
        return tuple([await self.client(server, role) for role in roles])

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


@pytest.fixture(autouse=True)
def connections_closed_before_flush(transactional_db):
    """Every run test talks to a server: its closing connections are recorded before the
    test's database is emptied."""
    yield
    wait_for_connections_to_close()


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


class WorkerProcess(ChildProcess):
    """`manage.py run_worker` on the test database; kill() is SIGKILL."""

    stop_timeout_s = 15.0

    def __init__(self, concurrency: int = 1) -> None:
        super().__init__()
        self.concurrency = concurrency

    def start(self) -> WorkerProcess:
        env = {**os.environ, "DATABASE_URL": test_database_url(), "RUNNER_QUEUE": "redis"}
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--concurrency", str(self.concurrency)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        return self


@pytest.fixture
def workers(transactional_db):
    """Factory of runner workers; all stopped at the end, and the queue left empty."""
    started: list[WorkerProcess] = []

    def start(**kwargs: Any) -> WorkerProcess:
        worker = WorkerProcess(**kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    prefix = os.environ.get("CHANNEL_PREFIX", "room")
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(
        f"{prefix}.runner.jobs", f"{prefix}.runner.workers"
    )


async def workers_seen(count: int, timeout: float = 20) -> None:
    """Wait until `count` workers have said they are alive."""
    prefix = os.environ.get("CHANNEL_PREFIX", "room")
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for _ in range(int(timeout * 10)):
        if client.zcard(f"{prefix}.runner.workers") >= count:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{count} runner workers did not start")


def worker_holding_a_run() -> int:
    """The pid of the worker that holds a pending job (worker names carry their pid)."""
    prefix = os.environ.get("CHANNEL_PREFIX", "room")
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    pending = client.xpending_range(f"{prefix}.runner.jobs", "workers", "-", "+", 10)
    assert len(pending) == 1, pending
    return int(pending[0]["consumer"].decode().split(".")[-2])
