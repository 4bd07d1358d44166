"""People and seats: every kind of link from the dashboard (a co-interviewer's too), each with
a copy button and made again on demand; observers say their name; an interviewer removes a
person from the people list and that person's screen says so; a new account's one-time
set-password link."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from rooms.models import Room, Seat
from tests.e2e.conftest import login_session, session_cookie, wait_until
from tests.e2e.room_helpers import open_as_owner, open_as_seat
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)
CONNECTED = "window.room && window.room.control.status === 'connected'"


def test_every_kind_of_link_from_the_dashboard(server, browser, screenshot_dir):
    alice = interviewer("alice")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([session_cookie(server, login_session(alice))])
    page = context.new_page()
    page.goto(f"{server.http_url}/")
    page.get_by_label("Title").fill("Backend loop")
    page.get_by_role("button", name="Create room").click()
    links = {}
    for label in ("Candidate link", "Co-interviewer link", "Observer link (read-only)"):
        field = page.get_by_label(label)
        links[label] = field.input_value()
        assert "/join/" in links[label]
        expect(page.locator(f"button[data-copy='{field.get_attribute('id')}']")).to_have_text(
            "Copy"
        )
    assert len(set(links.values())) == 3
    page.screenshot(path=screenshot_dir / "dashboard-new-links.png", full_page=True)

    # The co-interviewer's link opens the room as an interviewer of their own seat.
    bob = browser.new_context(viewport={"width": 1280, "height": 900})
    bpage = bob.new_page()
    bpage.goto(links["Co-interviewer link"])
    wait_until(bpage, CONNECTED)
    expect(bpage.locator(".role-badge")).to_have_text("Interviewer")
    expect(bpage.get_by_role("tab", name="Notes & scores")).to_be_visible()
    room = Room.objects.get(title="Backend loop")
    assert room.seats.filter(role="interviewer", user=None, revoked_at=None).count() == 1

    # Shown again on demand: a new link, and the old one stops working.
    page.goto(f"{server.http_url}/")
    page.locator(".room-row", has_text="Backend loop").get_by_text("Links", exact=True).click()
    page.get_by_role("button", name="New observer link (read-only)").click()
    fresh = page.get_by_label("Observer link (read-only)", exact=True).input_value()
    assert fresh != links["Observer link (read-only)"]
    gone = browser.new_context().new_page()
    assert gone.goto(links["Observer link (read-only)"]).status == 404

    # Observers say who they are, like everyone else.
    watcher = browser.new_context().new_page()
    watcher.goto(fresh)
    expect(watcher).to_have_url(re.compile(r"/name$"))
    watcher.get_by_label("Your name").fill("Olive")
    watcher.get_by_role("button", name="Join the room").click()
    wait_until(watcher, CONNECTED)
    assert room.seats.get(role="observer", revoked_at=None).name == "Olive"
    for ctx in (context, bob, gone.context, watcher.context):
        ctx.close()


def test_an_interviewer_removes_a_person_and_their_screen_says_so(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    # Candidates see no remove buttons; interviewers see one per other person, not for themselves.
    expect(cpage.locator("#participants .remove")).to_have_count(0)
    expect(ipage.get_by_role("button", name="Remove alice")).to_have_count(0)
    ipage.once("dialog", lambda dialog: dialog.accept())
    ipage.get_by_role("button", name="Remove Ada").click()
    expect(cpage.get_by_role("alert").filter(has_text="no longer in this room")).to_be_visible()
    expect(cpage.get_by_label("Message")).to_be_disabled()
    cpage.screenshot(path=screenshot_dir / "room-candidate-removed.png")
    expect(ipage.locator("#participants")).not_to_contain_text("Ada")
    assert Seat.objects.get(id=made["seats"]["candidate"].id).revoked_at is not None
    # A dismissed question removes nobody.
    ipage.once("dialog", lambda dialog: dialog.dismiss())
    ipage.get_by_role("button", name="Remove Obi").click()
    ipage.wait_for_timeout(300)
    assert Seat.objects.get(id=made["seats"]["observer"].id).revoked_at is None
    ictx.close()
    cctx.close()


def test_a_new_interviewer_account_gets_a_one_time_set_password_link(server, browser, settings):
    settings.PUBLIC_URL = server.http_url
    err = StringIO()
    call_command("create_room", "--interviewer", "carol", stdout=StringIO(), stderr=err)
    link = re.search(r"(http\S+/password/set/\S+/)", err.getvalue()).group(1)
    context = browser.new_context()
    page = context.new_page()
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("a long new password 42")
    page.get_by_label("The same password again").fill("a long new password 42")
    page.get_by_role("button", name="Set password and log in").click()
    expect(page.get_by_role("heading", name="Your rooms")).to_be_visible()
    # Once used, the link says so.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link has been used")).to_be_visible()
    # An account with a password gets no link.
    err = StringIO()
    call_command("create_room", "--interviewer", "carol", stdout=StringIO(), stderr=err)
    assert "password" not in err.getvalue()
    context.close()
