"""Signals for the transcript: a large paste and leaving the tab reach the interviewer and
the room's event log; a short timer runs out on every screen at once."""

import pytest
from playwright.sync_api import expect

from rooms.models import RoomEvent
from tests.e2e.room_helpers import open_as_owner, open_as_seat, show_from_plan
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

PASTE = """(text => {
  const data = new DataTransfer();
  data.setData("text/plain", text);
  document.querySelector("#editor .cm-content")
    .dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
})"""

HIDE_TAB = """(() => {
  Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
})"""


@pytest.fixture
def pair(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(made["room"], question("two-sum"))
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    yield made, ipage, cpage
    ictx.close()
    cctx.close()


def test_a_large_paste_is_flagged_to_the_interviewer_and_logged(pair):
    made, ipage, cpage = pair
    show_from_plan(ipage, "Two sum")
    cpage.locator("#editor .cm-content").click()
    cpage.evaluate(PASTE, "x = 1\n" * 100)
    expect(cpage.locator("#editor .cm-content")).to_contain_text("x = 1")
    expect(ipage.locator("#chat-log")).to_contain_text("Ada pasted 600 characters")
    expect(cpage.locator("#chat-log")).not_to_contain_text("pasted")
    event = RoomEvent.objects.get(room=made["room"], type="paste")
    assert event.data["chars"] == 600


def test_leaving_the_tab_shows_as_away_and_is_logged(pair):
    made, ipage, cpage = pair
    cpage.evaluate(HIDE_TAB)
    expect(ipage.locator(".person", has_text="Ada")).to_have_class("person online away")
    event = RoomEvent.objects.filter(room=made["room"], type="focus").last()
    assert event.data == {"seat": made["seats"]["candidate"].id, "focused": False}


def test_times_up_on_every_screen(pair):
    made, ipage, cpage = pair
    ipage.evaluate("window.room.send({ type: 'timer.start', duration_s: 2 })")
    for page in (ipage, cpage):
        expect(page.locator("#timer")).to_have_attribute("data-phase", "warning")
    for page in (ipage, cpage):
        expect(page.get_by_role("alert").filter(has_text="Time's up")).to_be_visible()
        expect(page.locator("#timer")).to_have_text("0:00")
