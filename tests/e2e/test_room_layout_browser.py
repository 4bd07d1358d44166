"""The room at tablet width and in dark mode, and the interviewer's controls by keyboard."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login_session, session_cookie, wait_until
from tests.e2e.room_helpers import (
    editor_text,
    open_as_owner,
    open_as_seat,
    show_from_plan,
    type_in_editor,
)
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

STARTER = "def two_sum(nums, target):\n    pass\n"

FOCUSED_NAME = """() => {
  const el = document.activeElement;
  return el.getAttribute("aria-label") || el.textContent.trim().slice(0, 40) || el.id;
}"""
# The focused element (or the editor around it: CodeMirror marks focus a moment later) has
# a visible outline.
HAS_FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el.closest(".cm-editor") || el);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
}"""


@pytest.fixture
def room(server):
    alice = interviewer("alice")
    made = room_with_seats(alice, "Backend engineer, Ada L.")
    plan(made["room"], question("two-sum", starter_code=STARTER))
    return {**made, "owner": alice}


def test_tablet_width_in_dark_mode(server, browser, room, screenshot_dir):
    look = {"viewport": {"width": 768, "height": 1024}, "color_scheme": "dark"}
    ictx, ipage = open_as_owner(browser, server, room["room"], room["owner"], **look)
    cctx, cpage = open_as_seat(browser, server, room["seats"]["candidate"], **look)
    show_from_plan(ipage, "Two sum")
    type_in_editor(cpage, "    seen = {}")
    cpage.get_by_label("Message").fill("Should I use a dict?")
    cpage.keyboard.press("Enter")
    for page, name in ((cpage, "room-tablet-dark"), (ipage, "room-tablet-dark-interviewer")):
        expect(page.locator("#editor .cm-content")).to_contain_text("seen = {}")
        expect(page.locator("#chat-log")).to_contain_text("Should I use a dict?")
        # Dark page, dark editor, light text.
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 23, 28)"
        editor_bg = page.locator("#editor .cm-editor").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        assert editor_bg == "rgb(40, 44, 52)"
        # Nothing sticks out sideways at this width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 768
        for panel in ("#question", "#editor", "#chat-log"):
            box = page.locator(panel).bounding_box()
            assert box["width"] > 300 and box["x"] + box["width"] <= 768
        page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
    # Tablet held sideways: question and chat share the left column beside the editor.
    cpage.set_viewport_size({"width": 1024, "height": 768})
    editor_box = cpage.locator("#editor").bounding_box()
    for panel in ("#question", "#chat-log"):
        box = cpage.locator(panel).bounding_box()
        assert box["x"] + box["width"] <= editor_box["x"]
    assert cpage.evaluate("document.documentElement.scrollHeight") <= 768
    cpage.screenshot(path=screenshot_dir / "room-tablet-landscape-dark.png")
    ictx.close()
    cctx.close()


def test_the_interviewer_reaches_every_control_by_keyboard(server, browser, room, screenshot_dir):
    ictx, ipage = open_as_owner(browser, server, room["room"], room["owner"])
    show_from_plan(ipage, "Two sum")
    # From the top of the page round to the end: every stop shows where the focus is.
    ipage.locator("a.brand").focus()
    seen = []
    for _ in range(40):
        ipage.keyboard.press("Tab")
        if ipage.evaluate("document.activeElement === document.body"):
            break  # past the last control
        name = ipage.evaluate(FOCUSED_NAME)
        seen.append(name)
        wait_until(ipage, HAS_FOCUS_RING, timeout_ms=2000)
        if name == "Code editor":
            # Tab indents inside the editor; Escape then Tab moves on.
            ipage.keyboard.press("Escape")
    for control in ("Minutes", "Start", "End interview", "Question", "Code editor", "Send"):
        assert control in seen, seen
    assert editor_text(ipage) == STARTER  # passing through the editor changed nothing
    # Arrow keys move between the side tabs and open them.
    ipage.get_by_role("tab", name="Question").focus()
    ipage.keyboard.press("ArrowRight")
    expect(ipage.get_by_role("tab", name="Plan")).to_be_focused()
    expect(ipage.get_by_role("tab", name="Plan")).to_have_attribute("aria-selected", "true")
    expect(ipage.get_by_role("tabpanel").filter(has_text="Two sum")).to_be_visible()
    ipage.screenshot(path=screenshot_dir / "room-interviewer-plan.png")
    ipage.keyboard.press("ArrowRight")
    expect(ipage.get_by_label("Private notes")).to_be_visible()
    ipage.screenshot(path=screenshot_dir / "room-interviewer-notes.png")
    ictx.close()


def test_the_plan_shows_when_the_interviewers_tools_load_after_the_room_state(
    browser, server, room
):
    """The interviewer's tools are a chunk of their own, loaded while the page connects: when
    it arrives after the room's state, the plan must still be there."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([session_cookie(server, login_session(room["owner"]))])
    page = context.new_page()
    page.route("**/static/assets/tools-*.js", lambda route: (time.sleep(1.5), route.continue_()))
    page.goto(f"{server.http_url}/r/{room['room'].id}/")
    show_from_plan(page, "Two sum")
    expect(page.locator("#editor .cm-content")).to_contain_text("def two_sum")
    context.close()
