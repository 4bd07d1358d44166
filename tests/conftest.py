import time
from dataclasses import dataclass

import pytest
from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import connections

from editor.store import close_docstore
from questions.models import Category, Question
from relay import liveness, relay
from rooms import threads as room_threads
from rooms.models import Connection, Room, RoomQuestion
from rooms.seats import create_seat
from tests.cluster import Cluster
from tests.servers import DaphneServer, RedisServer


@pytest.fixture(autouse=True)
def _close_connections_of_async_tests():
    """An async test's ORM calls (sync_to_async) run in asgiref's one worker thread, whose
    database connection would outlive the test and keep the test database busy; so would
    the room threads' (rooms.threads)."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    room_threads.close_connections()


@pytest.fixture
def daphne_servers(transactional_db):
    """Factory of real daphne processes on the test database; all stopped at the end."""
    started: list[DaphneServer] = []

    def start(**kwargs) -> DaphneServer:
        server = DaphneServer(**kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def cluster_hosts(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        hosts = Cluster().start()
    yield hosts
    hosts.stop()


@pytest.fixture
def cluster(cluster_hosts, transactional_db):
    """Three daphne hosts behind HAProxy (deploy/haproxy.cfg), on the test database, shared by
    a module's tests; a host a test killed or stopped is started again after it."""
    yield cluster_hosts
    cluster_hosts.heal()
    wait_for_connections_to_close()


def wait_for_connections_to_close(timeout: float = 15) -> None:
    """Servers record a test's closed connections as they notice them (presence, the leave in
    the transcript): let them finish before the database is emptied, or its TRUNCATE and their
    writes deadlock."""
    deadline = time.monotonic() + timeout
    while Connection.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)


@pytest.fixture(scope="module")
def shared_server(django_db_setup, django_db_blocker):
    """One daphne process for a whole test module (tests still get a clean database)."""
    with django_db_blocker.unblock():
        server = DaphneServer().start()
    yield server
    server.stop()


# --- a room for the channel tests: seats, a question, URLs to reach it ---------------------


@dataclass
class DocRoom:
    room: Room
    tokens: dict[str, str]
    text: str  # the Y.Text name of the room's question

    def url(self, server, role: str = "candidate", token: str | None = None) -> str:
        return f"{server.ws_url}/ws/doc/{self.room.id}?token={token or self.tokens[role]}"


def make_doc_room(title: str = "Editor room") -> DocRoom:
    owner = User.objects.get_or_create(username="owner")[0]
    category = Category.objects.get_or_create(slug="coding", defaults={"name": "Coding"})[0]
    question = Question.objects.get_or_create(
        slug="two-sum",
        defaults={
            "title": "Two sum",
            "prompt": "Find two numbers.",
            "category": category,
            "difficulty": "easy",
            "language": "python",
            "starter_code": "def two_sum(numbers, target):\n    pass\n",
        },
    )[0]
    room = Room.objects.create(title=title, owner=owner, status=Room.Status.LIVE)
    item = RoomQuestion.objects.create(room=room, question=question, position=1)
    tokens = {}
    for role in ("interviewer", "candidate", "observer"):
        _, tokens[role] = create_seat(
            room, role, role.title(), owner if role == "interviewer" else None
        )
    return DocRoom(room=room, tokens=tokens, text=item.text_name)


@pytest.fixture
def doc_room(transactional_db) -> DocRoom:
    return make_doc_room()


@pytest.fixture
async def server_loop():
    """The test's event loop plays a server process: close that process's own database and
    Redis connections afterwards (they would keep the test database busy)."""
    yield
    await close_docstore()
    await relay().close()
    await liveness.close()
    # The ORM calls the test made through sync_to_async left a connection in that thread.
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def own_redis():
    """A redis-server of the test's own, to stop and start."""
    server = RedisServer().start()
    yield server
    server.kill()
