"""Two tabs on one seat are noted in the people list, and the note goes when one closes."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_until
from tests.e2e.room_helpers import open_as_owner, open_as_seat
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_tabs_on_one_seat_are_noted(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    people = ipage.locator("#participants")
    expect(people.locator(".person", has_text="Ada")).to_be_visible()
    expect(people).not_to_contain_text("tabs")
    second = cctx.new_page()
    second.goto(f"{server.http_url}/r/{made['room'].id}/")
    wait_until(second, "window.room && window.room.control.status === 'connected'")
    expect(people.locator(".person", has_text="Ada")).to_contain_text("Ada · 2 tabs")
    ipage.screenshot(path=screenshot_dir / "room-interviewer-two-tabs.png")
    second.close()
    expect(people.locator(".person", has_text="Ada")).not_to_contain_text("tabs")
    expect(people.locator(".person.online", has_text="Ada")).to_have_count(1)
    ictx.close()
    cctx.close()
