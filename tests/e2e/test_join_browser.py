"""A candidate opens their link, says their name, and lands in the room at a clean URL."""

import pytest
from playwright.sync_api import expect

from rooms.seats import create_seat
from tests.e2e.room_helpers import open_as_owner
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room():
    alice = interviewer("alice")
    return {**room_with_seats(alice, "Backend loop"), "owner": alice}


def test_a_candidate_joins_by_link_gives_a_name_and_lands_on_a_clean_url(
    server, browser, room, screenshot_dir
):
    seat, token = create_seat(room["room"], "candidate")
    ictx, ipage = open_as_owner(browser, server, room["room"], room["owner"])
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.http_url}/r/{room['room'].id}/join/{token}")
    page.screenshot(path=screenshot_dir / "join-name.png")
    page.get_by_label("Your name").fill("Grace")
    page.get_by_role("button", name="Join the room").click()
    page.wait_for_url(f"{server.http_url}/r/{room['room'].id}/")
    assert token not in page.url
    expect(page.locator("#participants")).to_contain_text("Grace (you)")
    expect(ipage.locator("#participants")).to_contain_text("Grace")
    context.close()
    ictx.close()
