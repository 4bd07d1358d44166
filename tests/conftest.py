import pytest
from asgiref.sync import SyncToAsync
from django.db import connections

from tests.servers import DaphneServer


@pytest.fixture(autouse=True)
def _close_connections_of_async_tests():
    """An async test's ORM calls (sync_to_async) run in asgiref's one worker thread, whose
    database connection would outlive the test and keep the test database busy."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


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
def shared_server(django_db_setup, django_db_blocker):
    """One daphne process for a whole test module (tests still get a clean database)."""
    with django_db_blocker.unblock():
        server = DaphneServer().start()
    yield server
    server.stop()
