"""Browser tests: Debian's Chromium through Playwright against a real daphne process.

One browser per module keeps these fast. Each test gets its own daphne process: it must be
gone before the database is emptied after the test (transactional_db), or the server's own
writes (a closing tab leaving the room) race the flush.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.servers import DaphneServer

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls (making
# rooms, reading the transcript) are plain blocking calls and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(daphne_servers) -> DaphneServer:
    return daphne_servers()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def session_cookie(server: DaphneServer, session_key: str) -> dict:
    return {"name": "sessionid", "value": session_key, "url": server.http_url}


def login_session(user) -> str:
    """A logged-in session for `user`, as the login form would make it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def seat_session(seat) -> str:
    """A session bound to `seat`, as opening the seat's link does."""
    from django.contrib.sessions.backends.db import SessionStore

    from rooms.seats import bind_seat_to_session

    session = SessionStore()
    bind_seat_to_session(session, seat)
    session.save()
    return session.session_key


STORED_WITHIN_S = 5  # a busy process commits every EDITOR_COMMIT_GAP_MS (100 ms by default)


def assert_stored(room_id: str, name: str, code: str) -> None:
    """The stored document (what the replay and the review read) holds `code` within a few
    seconds: the others see an edit before it is committed."""
    from editor.documents import code_now

    deadline = time.monotonic() + STORED_WITHIN_S
    while (stored := code_now(room_id, [name])[name]) != code:
        assert time.monotonic() < deadline, f"stored {stored!r}, shown {code!r}"
        time.sleep(0.05)


def wait_until(page: Page, expression: str, arg: object = None, timeout_ms: float = 30_000) -> None:
    """Wait until `expression` (or the function it names, given `arg`) is truthy in the page.

    Not page.wait_for_function: that one evaluates its predicate with eval() inside the page,
    which the site's Content-Security-Policy forbids; page.evaluate comes in through DevTools.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not _evaluate(page, expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(50)


def _evaluate(page: Page, expression: str, arg: object) -> object:
    """The expression's value; false while the page is navigating (a reload)."""
    try:
        return page.evaluate(expression, arg)
    except PlaywrightError as error:
        if "context was destroyed" in str(error) or "navigat" in str(error):
            return False
        raise
