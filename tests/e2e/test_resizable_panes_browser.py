"""Resizable panes: the interviewer drags the line between the question and the editor (or
uses the arrow keys on it); this browser remembers the widths, another starts from the default."""

import pytest

from tests.e2e.conftest import login_session, session_cookie, wait_until
from tests.e2e.room_helpers import open_as_owner
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)
CONNECTED = "window.room && window.room.control.status === 'connected'"


def width(page, selector: str) -> float:
    return page.locator(selector).evaluate("el => el.getBoundingClientRect().width")


def test_panes_resize_and_are_remembered_per_browser(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    default_side, default_chat = width(ipage, ".panel.side"), width(ipage, ".panel.chat")
    handle = ipage.get_by_role("separator", name="Resize the question pane")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 100
    ipage.mouse.move(x, y)
    ipage.mouse.down()
    ipage.mouse.move(x + 150, y, steps=5)
    ipage.mouse.up()
    assert abs(width(ipage, ".panel.side") - (default_side + 150)) <= 3
    # The keyboard works too: the chat pane grows as its line moves left.
    chat = ipage.get_by_role("separator", name="Resize the chat pane")
    chat.focus()
    chat.press("ArrowLeft")
    assert abs(width(ipage, ".panel.chat") - (default_chat + 24)) <= 3
    # Nothing is dragged past sense.
    ipage.mouse.move(x + 150, y)
    ipage.mouse.down()
    ipage.mouse.move(x + 3000, y, steps=3)
    ipage.mouse.up()
    assert width(ipage, ".panel.side") <= 760
    ipage.screenshot(path=screenshot_dir / "room-interviewer-resized-panes.png")
    side_now = width(ipage, ".panel.side")

    ipage.reload()
    wait_until(ipage, CONNECTED)
    assert abs(width(ipage, ".panel.side") - side_now) <= 1
    assert abs(width(ipage, ".panel.chat") - (default_chat + 24)) <= 3

    # Another browser starts from the default.
    other = browser.new_context(viewport={"width": 1440, "height": 900})
    other.add_cookies([session_cookie(server, login_session(alice))])
    opage = other.new_page()
    opage.goto(f"{server.http_url}/r/{made['room'].id}/")
    wait_until(opage, CONNECTED)
    assert abs(width(opage, ".panel.side") - default_side) <= 1
    other.close()
    ictx.close()
