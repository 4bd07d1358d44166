"""A real browser through the load balancer: the interviewer and the candidate on different
hosts, the candidate typing when their host is killed. The page says it is reconnecting, is
back to Connected on another host within seconds, and the interviewer ends up with every
character typed, once."""

import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.cluster import Cluster
from tests.e2e.conftest import (
    assert_stored,
    login_session,
    seat_session,
    session_cookie,
    wait_until,
)
from tests.e2e.room_helpers import editor_text, show_from_plan, type_in_editor
from tests.e2e.test_offline_reload_browser import BADGE_HISTORY, CONNECTED
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

STARTER = "def two_sum(nums, target):\n"
BEFORE = "    seen = {}"
DURING = " # typed as the host died"
AFTER = " # and after"


class Opened:
    """A room page opened through the proxy; `hosts` tells which host answered each of its
    channels' latest handshake ("doc", "control"), read from the proxy's X-Served-By."""

    def __init__(self, browser: Browser, cluster: Cluster, room_id: str, session: str) -> None:
        self.context: BrowserContext = browser.new_context(viewport={"width": 1440, "height": 900})
        self.context.add_cookies([session_cookie(cluster, session)])
        self.context.add_init_script(BADGE_HISTORY)
        self.page: Page = self.context.new_page()
        self.hosts: dict[str, str] = {}
        urls: dict[str, str] = {}
        devtools = self.context.new_cdp_session(self.page)
        devtools.send("Network.enable")

        def created(event: dict[str, Any]) -> None:
            urls[event["requestId"]] = event["url"]

        def answered(event: dict[str, Any]) -> None:
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            channel = "doc" if "/ws/doc/" in urls.get(event["requestId"], "") else "control"
            self.hosts[channel] = headers["x-served-by"]

        devtools.on("Network.webSocketCreated", created)
        devtools.on("Network.webSocketHandshakeResponseReceived", answered)
        self.page.goto(f"{cluster.http_url}/r/{room_id}/")
        self.connected()

    def connected(self) -> None:
        wait_until(self.page, CONNECTED)
        expect(self.page.locator("#conn-label")).to_have_text("Connected")


def test_the_candidates_host_killed_while_typing_loses_and_doubles_nothing(cluster, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    room = made["room"]
    (item,) = plan(room, question("two-sum", starter_code=STARTER))
    theirs = Opened(browser, cluster, room.id, login_session(alice))
    mine = Opened(browser, cluster, room.id, seat_session(made["seats"]["candidate"]))
    for _ in range(6):  # round-robin: the candidate's editor on a host of its own
        if mine.hosts["doc"] not in theirs.hosts.values():
            break
        urllib.request.urlopen(f"{cluster.http_url}/healthz").close()  # the next host, then
        mine.page.reload()
        mine.connected()
    doomed = mine.hosts["doc"]
    assert doomed not in theirs.hosts.values()
    show_from_plan(theirs.page, "Two sum")
    expect(mine.page.locator("#editor .cm-content")).to_contain_text("def two_sum")
    type_in_editor(mine.page, BEFORE)
    expect(theirs.page.locator("#editor .cm-content")).to_contain_text("seen = {}")

    cluster.kill(doomed)
    mine.page.keyboard.type(DURING, delay=20)
    expect(mine.page.locator("#conn-label")).to_have_text("Connected", timeout=15_000)
    history = mine.page.evaluate("window.badgeHistory")
    assert any(label.startswith("Reconnecting") for label in history), history
    assert mine.hosts["doc"] != doomed
    mine.page.keyboard.type(AFTER, delay=20)

    everything = STARTER + BEFORE + DURING + AFTER
    wait_until(
        theirs.page,
        "text => window.room.editor.view.state.doc.toString() === text",
        everything,
        timeout_ms=15_000,
    )
    assert editor_text(mine.page) == everything
    assert_stored(room.id, item.text_name, everything)
    for opened in (theirs, mine):
        opened.context.close()
