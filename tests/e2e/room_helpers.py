"""What the room tests share: opening a seat's page, reading what a user sees."""

from typing import NamedTuple

from playwright.sync_api import Browser, BrowserContext, Page, expect

from rooms.models import Room
from tests.e2e.conftest import login_session, seat_session, session_cookie, wait_until
from tests.factories import interviewer, plan, question, room_with_seats
from tests.servers import DaphneServer


def open_room(
    browser: Browser, server: DaphneServer, room_id: str, session_key: str, **context_args
) -> tuple[BrowserContext, Page]:
    context_args.setdefault("viewport", {"width": 1440, "height": 900})
    context = browser.new_context(**context_args)
    context.add_cookies([session_cookie(server, session_key)])
    page = context.new_page()
    page.goto(f"{server.http_url}/r/{room_id}/")
    wait_until(page, "window.room && window.room.control.status === 'connected'")
    return context, page


def open_as_owner(browser, server, room, user, **kw):
    return open_room(browser, server, room.id, login_session(user), **kw)


def open_as_seat(browser, server, seat, **kw):
    return open_room(browser, server, seat.room_id, seat_session(seat), **kw)


class SharedQuestion(NamedTuple):
    room: Room
    text_name: str
    ictx: BrowserContext
    ipage: Page
    cctx: BrowserContext
    cpage: Page


def two_sum_on_display(browser: Browser, server: DaphneServer, starter: str) -> SharedQuestion:
    """Alice (the owner) and the candidate in one room, "Two sum" with `starter` on display and
    its starter code arrived in the candidate's editor. The caller closes both contexts."""
    alice = interviewer("alice")
    made = room_with_seats(alice)
    (item,) = plan(made["room"], question("two-sum", starter_code=starter))
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    show_from_plan(ipage, "Two sum")
    expect(cpage.locator("#editor .cm-content")).to_contain_text(starter.splitlines()[-1])
    return SharedQuestion(made["room"], item.text_name, ictx, ipage, cctx, cpage)


def editor_text(page: Page) -> str:
    return page.evaluate("window.room.editor.view.state.doc.toString()")


def type_in_editor(page: Page, text: str) -> None:
    page.locator("#editor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def show_from_plan(page: Page, title: str) -> None:
    page.get_by_role("tab", name="Plan").click()
    page.get_by_role("button", name=f"Show {title}").click()
    expect(page.locator("#question-title")).to_have_text(title)
    page.get_by_role("tab", name="Question").click()


def remaining_ms(page: Page) -> float:
    return page.evaluate("window.room.timer.view().remainingMs")
