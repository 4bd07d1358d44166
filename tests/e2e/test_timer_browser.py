"""The interviewer starts the timer: every screen shows the same second, warns near the end
and says "time's up" when it runs out."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.room_helpers import open_as_owner, open_as_seat, remaining_ms
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pair(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    yield ipage, cpage
    ictx.close()
    cctx.close()


def shown_seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def timer_colour(page) -> str:
    return page.locator("#timer").evaluate("el => getComputedStyle(el).color")


def test_both_screens_show_the_same_second(pair):
    ipage, cpage = pair
    ipage.get_by_label("Minutes").fill("2")
    ipage.get_by_role("button", name="Start").click()
    for page in (ipage, cpage):
        expect(page.locator("#timer")).to_have_attribute("data-phase", "running")
    # Read both screens one right after the other, a few times across second boundaries:
    # a tick may fall between two reads, so most reads agree and none is a second apart.
    reads = []
    for _ in range(12):
        reads.append((ipage.locator("#timer").inner_text(), cpage.locator("#timer").inner_text()))
        time.sleep(0.15)
    assert all(abs(shown_seconds(a) - shown_seconds(b)) <= 1 for a, b in reads), reads
    assert sum(a == b for a, b in reads) >= 9, reads
    assert all(100 <= shown_seconds(a) <= 120 for a, _ in reads), reads
    # The clocks under the display agree far closer than a second.
    assert abs(remaining_ms(ipage) - remaining_ms(cpage)) < 500

    ipage.get_by_role("button", name="Pause").click()
    for page in (ipage, cpage):
        expect(page.locator("#timer")).to_have_attribute("data-phase", "paused")
    expect(cpage.locator("#timer")).to_have_text(ipage.locator("#timer").inner_text())
    expect(cpage.get_by_role("button", name="Resume")).to_have_count(0)


def test_warning_near_the_end_then_times_up_on_both(pair, screenshot_dir):
    ipage, cpage = pair
    ipage.get_by_label("Minutes").fill("1")
    ipage.get_by_role("button", name="Start").click()
    for page in (ipage, cpage):
        expect(page.locator("#timer")).to_have_attribute("data-phase", "running")
        expect(page.get_by_role("alert").filter(has_text="Time's up")).to_be_hidden()
    running_colour = timer_colour(cpage)
    # Jump to the last stretch: a minute's timer warns in its last 12 seconds.
    ipage.evaluate("window.room.send({ type: 'timer.add', seconds: -56 })")
    for page in (ipage, cpage):
        expect(page.locator("#timer")).to_have_attribute("data-phase", "warning")
        assert shown_seconds(page.locator("#timer").inner_text()) <= 4
    assert timer_colour(cpage) == timer_colour(ipage) != running_colour
    cpage.screenshot(path=screenshot_dir / "room-candidate-timer-warning.png")
    for page in (ipage, cpage):
        expect(page.get_by_role("alert").filter(has_text="Time's up")).to_be_visible()
        expect(page.locator("#timer")).to_have_text("0:00")
        expect(page.locator("#timer")).to_have_attribute("data-phase", "expired")
    cpage.screenshot(path=screenshot_dir / "room-candidate-times-up.png")
