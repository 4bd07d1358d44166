"""Signals for the transcript: a large paste and leaving the tab reach the interviewer and
the room's event log; a reload or a pair's role swap is no "left the tab"; a short timer runs
out on every screen at once."""

import re

import pytest
from playwright.sync_api import Page, expect

from rooms.models import RoomEvent
from tests.e2e.conftest import wait_until
from tests.e2e.room_helpers import open_as_owner, open_as_seat, show_from_plan, type_in_editor
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


# The loss of focus the page waits out before reporting it (frontend/src/focus.ts), and a margin.
FOCUS_GRACE_S = 1.5 + 1.0
CONNECTED = "window.room && window.room.control.status === 'connected'"


def focus_events(room) -> list[bool]:
    return [
        e.data["focused"] for e in RoomEvent.objects.filter(room=room, type="focus").order_by("id")
    ]


def joins(room, seat) -> int:
    return RoomEvent.objects.filter(room=room, type="join", data__seat=seat.id).count()


def real_focus(page: Page) -> None:
    """Playwright tells every page it has focus, whatever is in front; let Chromium say."""
    page.context.new_cdp_session(page).send(
        "Emulation.setFocusEmulationEnabled", {"enabled": False}
    )
    page.bring_to_front()
    wait_until(page, "document.hasFocus()")


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


def test_switching_to_another_tab_and_back_is_logged(pair):
    made, ipage, cpage = pair
    ada = ipage.locator(".person", has_text="Ada")
    real_focus(cpage)
    other = cpage.context.new_page()
    other.bring_to_front()
    expect(ada).to_have_class("person online away")
    cpage.bring_to_front()
    expect(ada).to_have_class("person online")
    assert focus_events(made["room"]) == [False, True]


def test_a_glance_at_another_tab_is_not_logged(pair):
    made, ipage, cpage = pair
    real_focus(cpage)
    other = cpage.context.new_page()
    other.bring_to_front()
    cpage.bring_to_front()
    cpage.wait_for_timeout(FOCUS_GRACE_S * 1000)
    assert focus_events(made["room"]) == []


def test_a_reload_is_a_leave_and_a_join_not_leaving_the_tab(pair):
    made, ipage, cpage = pair
    candidate = made["seats"]["candidate"]
    type_in_editor(cpage, "x")  # a page the user has worked in, as before any real reload
    cpage.reload()
    wait_until(cpage, CONNECTED)
    expect(ipage.locator(".person", has_text="Ada")).to_have_class("person online")
    cpage.wait_for_timeout(FOCUS_GRACE_S * 1000)
    assert joins(made["room"], candidate) == 2
    assert focus_events(made["room"]) == []


def test_a_role_swap_is_not_leaving_the_tab(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice, kind="pair")
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    # Each page reloads itself into its new role.
    ipage.evaluate("window.room.send({ type: 'roles.swap' })")
    for page, role in ((ipage, "candidate"), (cpage, "interviewer")):
        wait_until(
            page,
            f"JSON.parse(document.getElementById('room-config').textContent).role === '{role}'",
        )
        wait_until(page, CONNECTED)
    expect(cpage.locator(".person", has_text="alice")).to_have_class(re.compile("online"))
    cpage.wait_for_timeout(FOCUS_GRACE_S * 1000)
    assert RoomEvent.objects.filter(room=made["room"], type="roles.swapped").count() == 1
    assert focus_events(made["room"]) == []
    ictx.close()
    cctx.close()


def test_times_up_on_every_screen(pair):
    made, ipage, cpage = pair
    ipage.evaluate("window.room.send({ type: 'timer.start', duration_s: 2 })")
    for page in (ipage, cpage):
        expect(page.locator("#timer")).to_have_attribute("data-phase", "warning")
    for page in (ipage, cpage):
        expect(page.get_by_role("alert").filter(has_text="Time's up")).to_be_visible()
        expect(page.locator("#timer")).to_have_text("0:00")
