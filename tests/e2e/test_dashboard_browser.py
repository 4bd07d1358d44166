"""An interviewer logs in with the form and lands on the dashboard (light and tablet)."""

import pytest

from tests.e2e.conftest import login_session, session_cookie
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_form_leads_to_the_dashboard(server, browser, screenshot_dir):
    interviewer("alice", "pw-alice-123")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{server.http_url}/")
    assert page.url.endswith("/login/?next=/")
    page.screenshot(path=screenshot_dir / "login.png")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.http_url}/")
    assert page.get_by_role("heading", name="New room").is_visible()
    context.close()


def test_dashboard_in_dark_mode_and_at_tablet_width(server, browser, screenshot_dir):
    alice = interviewer("alice")
    room_with_seats(alice, "Backend engineer, Ada L.")
    looks = (("dark", 1280, "dashboard-dark"), ("light", 820, "dashboard-tablet"))
    for scheme, width, name in looks:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        context.add_cookies([session_cookie(server, login_session(alice))])
        page = context.new_page()
        page.goto(f"{server.http_url}/")
        row = page.locator(".room-row", has_text="Backend engineer, Ada L.")
        assert row.is_visible()
        assert row.get_by_role("link", name="Open").get_attribute("href").startswith("/r/")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(20, 23, 28)") == (scheme == "dark")
        page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
        context.close()
