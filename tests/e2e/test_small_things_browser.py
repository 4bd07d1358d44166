"""Small things a user notices: a short timer's length, a name given once, a fraction of a
minute, "Python" said once, cursor name tags that get out of the way, a compact top bar on a
phone; and every page at phone, tablet and desktop widths in light and dark."""

import re

import pytest
from playwright.sync_api import expect

from questions.models import Category
from rooms.models import RoomEvent
from tests.e2e.conftest import login_session, seat_session, session_cookie, wait_until
from tests.e2e.room_helpers import open_as_owner, open_as_seat, show_from_plan, type_in_editor
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def test_timer_lengths_names_and_labels(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    python, _ = Category.objects.get_or_create(slug="python", defaults={"name": "Python"})
    plan(made["room"], question("decorators", title="Decorators", category=python))
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    show_from_plan(ipage, "Decorators")
    # "Python" once, not "Python · Python".
    expect(cpage.locator("#question .labels .chip")).to_have_text(["easy", "Python"])

    # A fraction of a minute is a length like any other; nonsense is said, not ignored.
    minutes = ipage.get_by_label("Minutes")
    minutes.fill("0")
    ipage.get_by_role("button", name="Start").click()
    expect(ipage.locator(".timer-error")).to_have_text("Minutes: a number from 0.1 to 360")
    expect(ipage.locator("#timer")).to_have_attribute("data-phase", "idle")
    minutes.fill("0.1")
    ipage.get_by_role("button", name="Start").click()
    # Six seconds: it runs (in its warning stretch from the start).
    expect(cpage.locator("#timer")).to_have_attribute("data-phase", re.compile("running|warning"))
    expect(ipage.locator(".timer-error")).to_be_hidden()
    start = RoomEvent.objects.filter(room=made["room"], type="timer.start").get()
    assert start.data["duration_ms"] == 6000

    # Giving the name one already has records nothing.
    cpage.evaluate("window.room.send({ type: 'name.set', name: 'Ada' })")
    cpage.evaluate("window.room.send({ type: 'name.set', name: 'Ada Lovelace' })")
    expect(ipage.locator("#participants")).to_contain_text("Ada Lovelace")
    named = RoomEvent.objects.filter(room=made["room"], type="seat.named")
    assert [e.data["name"] for e in named] == ["Ada Lovelace"]

    ipage.goto(f"{server.http_url}/r/{made['room'].id}/review/")
    wait_until(ipage, "window.review && window.review.ready")
    events = ipage.locator("#events")
    expect(events).to_contain_text("alice started the timer (6 s)")
    expect(events).to_contain_text("The candidate is now called Ada Lovelace")
    expect(events).not_to_contain_text("Ada Lovelace is now called")
    ictx.close()
    cctx.close()


def test_cursor_name_tags_get_out_of_the_way(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(made["room"], question("two-sum"))
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    show_from_plan(ipage, "Two sum")
    type_in_editor(cpage, "line one\nline two")
    tag = ipage.locator("#editor .cm-ySelectionInfo", has_text="Ada")
    expect(tag).to_have_count(1)
    opacity = "el => Number(getComputedStyle(el).opacity)"
    assert tag.evaluate(opacity) > 0.5  # shown as the cursor moves
    ipage.wait_for_timeout(3500)
    assert tag.evaluate(opacity) == 0  # then out of the way of the line above
    ictx.close()
    cctx.close()


def test_the_interviewers_top_bar_is_compact_on_a_phone(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice, "Backend engineer, Ada Lovelace")
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    ictx, ipage = open_as_owner(browser, server, made["room"], alice, **phone)
    expect(ipage.get_by_role("button", name="End interview")).to_be_visible()
    # Measured as the interviewer sits in the room: both channels up (a longer badge while
    # connecting may wrap for a moment).
    expect(ipage.locator("#conn-label")).to_have_text("Connected")
    height = ipage.locator(".topbar").evaluate("el => el.getBoundingClientRect().height")
    ipage.screenshot(path=screenshot_dir / "room-interviewer-phone-topbar.png")
    assert height <= 130, height
    ictx.close()


WIDTHS = {"phone": (390, 844), "tablet": (820, 1180), "desktop": (1440, 900)}


def test_every_page_at_every_width_in_light_and_dark(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(made["room"], question("two-sum"))
    room_id = made["room"].id
    pages = [
        ("login", None, "/login/"),
        ("dashboard", login_session(alice), "/"),
        ("room-interviewer", login_session(alice), f"/r/{room_id}/"),
        ("room-candidate", seat_session(made["seats"]["candidate"]), f"/r/{room_id}/"),
        ("room-observer", seat_session(made["seats"]["observer"]), f"/r/{room_id}/"),
        ("review", login_session(alice), f"/r/{room_id}/review/"),
        ("invalid-link", None, f"/r/{room_id}/join/not-a-token"),
    ]
    for scheme in ("light", "dark"):
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=scheme
            )
            for name, session, path in pages:
                context.clear_cookies()
                if session:
                    context.add_cookies([session_cookie(server, session)])
                page = context.new_page()
                page.goto(f"{server.http_url}{path}")
                if name.startswith("room"):
                    wait_until(page, "window.room && window.room.control.status === 'connected'")
                if name == "review":
                    wait_until(page, "window.review && window.review.ready")
                # Nothing spills sideways at any width.
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, (name, width_name, scheme, overflow)
                page.screenshot(path=screenshot_dir / f"page-{name}-{width_name}-{scheme}.png")
                page.close()
            context.close()
