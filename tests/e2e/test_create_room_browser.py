"""An interviewer creates a room from a template on the dashboard, copies the candidate's
link, opens the room with the template's plan; the candidate joins with the link."""

import pytest
from playwright.sync_api import expect

from questions.models import Template, TemplateItem
from tests.e2e.conftest import login_session, session_cookie, wait_until
from tests.factories import interviewer, question

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def template():
    made = Template.objects.create(slug="backend", title="Backend engineer (60 min)")
    for position, q in enumerate(
        (question("two-sum"), question("top-users", title="Top users", language="sql"))
    ):
        TemplateItem.objects.create(template=made, question=q, position=position, minutes=20)
    return made


def test_create_a_room_copy_the_link_and_both_land_in_it(server, browser, template, screenshot_dir):
    alice = interviewer("alice")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.http_url)
    context.add_cookies([session_cookie(server, login_session(alice))])
    page = context.new_page()
    page.goto(f"{server.http_url}/")
    expect(page.get_by_text("Create a room to invite a candidate.")).to_be_visible()

    page.get_by_label("Title").fill("Backend engineer, Ada L.")
    page.get_by_label("Template").select_option(label="Backend engineer (60 min)")
    page.get_by_role("button", name="Create room").click()
    expect(page.get_by_role("heading", name="“Backend engineer, Ada L.” is ready")).to_be_visible()
    candidate_link = page.get_by_label("Candidate link").input_value()
    assert "/join/" in candidate_link
    assert page.get_by_label("Observer link (read-only)").input_value() != candidate_link
    link_id = page.get_by_label("Candidate link").get_attribute("id")
    copy = page.locator(f"button[data-copy='{link_id}']")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == candidate_link
    upcoming = page.locator("#sec-upcoming + .room-list .room-row")
    expect(upcoming).to_have_count(1)
    expect(upcoming).to_contain_text("Backend engineer, Ada L.")
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    page.get_by_role("link", name="Open the room").click()
    wait_until(page, "window.room && window.room.control.status === 'connected'")
    page.get_by_role("tab", name="Plan").click()
    expect(page.locator("#plan .plan-title")).to_have_text(["Two sum", "Top users"])

    guest = browser.new_context()
    gpage = guest.new_page()
    gpage.goto(candidate_link)
    gpage.get_by_label("Your name").fill("Ada Lovelace")
    gpage.get_by_role("button", name="Join the room").click()
    expect(gpage.locator("#participants")).to_contain_text("Ada Lovelace (you)")
    expect(gpage.locator("#question")).to_contain_text("Waiting for the interviewer")
    expect(page.locator("#participants")).to_contain_text("Ada Lovelace")

    page.goto(f"{server.http_url}/")
    row = page.locator("#sec-live + .room-list .room-row", has_text="Backend engineer, Ada L.")
    expect(row).to_contain_text("with Ada Lovelace")
    expect(row.locator(".status")).to_have_text("Live")
    # Every button of the row sits inside it, none hidden under the "New room" card.
    box = row.bounding_box()
    for button in row.locator(".btn").all():
        b = button.bounding_box()
        assert box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"]
    page.screenshot(path=screenshot_dir / "dashboard-live.png", full_page=True)
    guest.close()
    context.close()


def test_choosing_a_pair_template_makes_a_pair_room(server, browser, template):
    Template.objects.create(slug="mock", title="Mock interview (pair)", kind="pair")
    alice = interviewer("alice")
    context = browser.new_context()
    context.add_cookies([session_cookie(server, login_session(alice))])
    page = context.new_page()
    page.goto(f"{server.http_url}/")
    expect(page.get_by_label("Interview")).to_be_checked()
    page.get_by_label("Template").select_option(label="Mock interview (pair)")
    expect(page.get_by_label("Pair practice")).to_be_checked()
    page.get_by_label("Template").select_option(label="Backend engineer (60 min)")
    expect(page.get_by_label("Interview")).to_be_checked()
    page.get_by_label("Template").select_option(label="Mock interview (pair)")
    page.get_by_role("button", name="Create room").click()
    row = page.locator("#sec-upcoming + .room-list .room-row")
    expect(row).to_contain_text("pair")
    context.close()
