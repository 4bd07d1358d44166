"""What the room tests share: opening a seat's page, reading what a user sees."""

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import login_session, seat_session, session_cookie
from tests.servers import DaphneServer


def open_room(
    browser: Browser, server: DaphneServer, room_id: str, session_key: str, **context_args
) -> tuple[BrowserContext, Page]:
    context_args.setdefault("viewport", {"width": 1440, "height": 900})
    context = browser.new_context(**context_args)
    context.add_cookies([session_cookie(server, session_key)])
    page = context.new_page()
    page.goto(f"{server.http_url}/r/{room_id}/")
    page.wait_for_function("window.room && window.room.control.status === 'connected'")
    return context, page


def open_as_owner(browser, server, room, user, **kw):
    return open_room(browser, server, room.id, login_session(user), **kw)


def open_as_seat(browser, server, seat, **kw):
    return open_room(browser, server, seat.room_id, seat_session(seat), **kw)


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
