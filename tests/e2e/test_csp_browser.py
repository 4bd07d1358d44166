"""Every page under the Content-Security-Policy in real Chromium: no violation, no console
error, and the room still works (both channels connect, the shared editor loads and shares)."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import BrowserContext, Page, Response, expect

from rooms.seats import create_seat
from tests.e2e.conftest import wait_until
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in every document before its own scripts: records what the policy blocked.
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}` +
    ` (${e.sourceFile}:${e.lineNumber}) ${e.sample}`);
});
"""


class Watched:
    """A browser context whose pages report policy violations, console errors and page errors."""

    def __init__(self, browser) -> None:
        self.context: BrowserContext = browser.new_context(viewport={"width": 1440, "height": 900})
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.errors: list[str] = []
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}")
        )

    def goto(self, url: str, status: int = 200) -> Response:
        response = self.page.goto(url)
        assert response is not None and response.status == status, url
        if status >= 400:  # the page itself is the error the browser reports: expected
            self.page.wait_for_load_state()
            expected = [f"{status} {url}", f"the server responded with a status of {status}"]
            self.errors[:] = [e for e in self.errors if not any(x in e for x in expected)]
        return response

    def assert_clean(self, what: str, response: Response | None = None) -> None:
        if response is not None:
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, what
        self.page.wait_for_timeout(200)  # violation events are dispatched as tasks
        violations = self.page.evaluate("window.cspViolations")
        assert violations == [], f"{what}: {violations}"
        assert self.errors == [], f"{what}: {self.errors}"


def wait_connected(watched: Watched) -> None:
    page = watched.page
    wait_until(page, "window.room && window.room.control.status === 'connected'")
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    expect(page.locator("#conn-label")).to_have_text("Connected")


def test_every_page_runs_under_the_policy_and_the_room_still_works(server, browser):
    base = server.http_url
    alice = interviewer("alice", "pw-alice-123")
    made = room_with_seats(alice)
    room = made["room"]
    plan(room, question("two-sum", starter_code="def two_sum(nums, target):\n"))
    _, candidate_token = create_seat(room, "candidate")  # no name yet: asked for one
    User.objects.create_superuser("root", password="pw-root-123")

    # The interviewer logs in through the form and opens the room from the dashboard.
    owner = Watched(browser)
    response = owner.goto(f"{base}/login/")
    owner.assert_clean("login page", response)
    owner.page.get_by_label("Username").fill("alice")
    owner.page.get_by_label("Password").fill("pw-alice-123")
    with owner.page.expect_navigation() as landed:
        owner.page.get_by_role("button", name="Log in").click()
    owner.assert_clean("dashboard", landed.value)
    expect(owner.page.get_by_role("heading", name="Your rooms")).to_be_visible()

    response = owner.goto(f"{base}/r/{room.id}/")
    wait_connected(owner)
    owner.page.get_by_role("tab", name="Plan").click()
    owner.page.get_by_role("button", name="Show Two sum").click()
    owner.page.get_by_role("tab", name="Question").click()
    expect(owner.page.locator("#editor .cm-content")).to_contain_text("def two_sum")
    owner.assert_clean("room as interviewer", response)

    # The candidate opens their link, gives a name, and types in the shared editor.
    candidate = Watched(browser)
    response = candidate.goto(f"{base}/r/{room.id}/join/{candidate_token}")
    candidate.assert_clean("name form", response)
    candidate.page.get_by_label("Your name").fill("Grace")
    with candidate.page.expect_navigation() as landed:
        candidate.page.get_by_role("button", name="Join the room").click()
    wait_connected(candidate)
    editor = candidate.page.locator("#editor .cm-content")
    expect(editor).to_contain_text("def two_sum")
    editor.click()
    candidate.page.keyboard.press("Control+End")
    candidate.page.keyboard.type("    return []")
    expect(owner.page.locator("#editor .cm-content")).to_contain_text("return []")
    candidate.assert_clean("room as candidate", landed.value)
    owner.assert_clean("room as interviewer, after the candidate typed")

    response = owner.goto(f"{base}/r/{room.id}/review/")
    expect(owner.page.locator("body")).to_contain_text("return []")
    owner.assert_clean("review page", response)

    response = candidate.goto(f"{base}/r/{room.id}/join/not-a-token", status=404)
    candidate.assert_clean("invalid link page", response)

    # The admin: login form, index, a question's change form.
    admin = Watched(browser)
    response = admin.goto(f"{base}/admin/login/")
    admin.assert_clean("admin login", response)
    admin.page.get_by_label("Username").fill("root")
    admin.page.get_by_label("Password").fill("pw-root-123")
    with admin.page.expect_navigation() as landed:
        admin.page.get_by_role("button", name="Log in").click()
    admin.assert_clean("admin index", landed.value)
    response = admin.goto(f"{base}/admin/questions/question/")
    admin.assert_clean("admin question list", response)
    admin.page.get_by_role("link", name="Two sum").first.click()
    admin.page.wait_for_load_state()
    admin.assert_clean("admin question form")

    for watched in (owner, candidate, admin):
        watched.context.close()
