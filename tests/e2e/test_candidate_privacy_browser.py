"""Nothing interviewer-only reaches a candidate's browser: not in the page, not in any
HTTP response, not in any websocket frame, while the interviewer shows questions, writes
notes and scores."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import seat_session, session_cookie
from tests.e2e.room_helpers import open_as_owner, show_from_plan
from tests.factories import SECRET, interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


class Recorder:
    """Every response and websocket frame a page receives."""

    def __init__(self, page: Page) -> None:
        self.responses = []
        self.frames: list[bytes] = []
        self.bodies: list[bytes] = []
        page.on("response", self.response)
        page.on("websocket", self.watch)

    def response(self, response) -> None:
        self.responses.append(response)

    def watch(self, ws) -> None:
        ws.on("framereceived", self.frame)

    def frame(self, payload: str | bytes) -> None:
        self.frames.append(payload.encode() if isinstance(payload, str) else payload)

    def read_bodies(self) -> None:
        """Reads the bodies so far; call before navigating (the browser drops them then)."""
        for response in self.responses:
            if not 300 <= response.status < 400:  # redirects have no body
                self.bodies.append(response.body())
        self.responses.clear()


def test_a_candidate_page_holds_nothing_interviewer_only(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(
        made["room"],
        question("two-sum", starter_code="def two_sum(nums, target):\n"),
        question("top-users", title="Top users", language="sql", starter_code="SELECT 1\n"),
    )
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    show_from_plan(ipage, "Two sum")
    expect(ipage.locator("#guidance")).to_contain_text(SECRET)

    cctx = browser.new_context()
    cctx.add_cookies([session_cookie(server, seat_session(made["seats"]["candidate"]))])
    cpage = cctx.new_page()
    seen = Recorder(cpage)
    cpage.goto(f"{server.http_url}/r/{made['room'].id}/")
    expect(cpage.locator("#question-title")).to_have_text("Two sum")

    # The interviewer works with private data while the candidate is connected.
    ipage.get_by_role("tab", name="Notes & scores").click()
    ipage.get_by_label("Private notes").fill(f"NOTES {SECRET}: nervous start")
    ipage.get_by_label("Private notes").blur()
    expect(ipage.locator("#notes-status")).to_contain_text("Saved")
    ipage.locator("fieldset", has_text="Two sum").get_by_label("3").check()
    ipage.get_by_label("Overall recommendation").select_option("yes")
    ipage.get_by_role("tab", name="Question").click()
    show_from_plan(ipage, "Top users")
    ipage.get_by_label("Minutes").fill("20")
    ipage.get_by_role("button", name="Start").click()
    ipage.get_by_label("Message").fill("Take your time.")
    ipage.keyboard.press("Enter")
    expect(cpage.locator("#question-title")).to_have_text("Top users")
    expect(cpage.locator("#editor .cm-content")).to_contain_text("SELECT 1")
    expect(cpage.locator("#chat-log")).to_contain_text("Take your time.")
    expect(cpage.locator("#timer")).to_have_attribute("data-phase", "running")
    # Reloading brings the whole state again, through the first page load and room.state.
    seen.read_bodies()
    cpage.reload()
    expect(cpage.locator("#question-title")).to_have_text("Top users")
    expect(cpage.locator("#chat-log")).to_contain_text("Take your time.")

    seen.read_bodies()
    bodies = seen.bodies
    received = bodies + seen.frames
    marker = SECRET.encode()
    # The recording did see the room: pages, scripts, the question and the shared code.
    assert any(b"Top users" in frame for frame in seen.frames)
    assert any(b"SELECT 1" in frame for frame in seen.frames)
    assert any(b"<!doctype html>" in body for body in bodies)
    assert [item for item in received if marker in item] == []
    assert SECRET not in cpage.content()
    expect(cpage.locator("#guidance")).to_have_count(0)
    expect(cpage.get_by_role("tab", name="Notes & scores")).to_have_count(0)
    expect(cpage.get_by_role("button", name="Start")).to_have_count(0)
    ictx.close()
    cctx.close()
