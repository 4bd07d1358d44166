"""An interviewer and a candidate share a question and its editor: the same title and prompt,
the starter code highlighted, the candidate's typing and named cursor on the interviewer's
screen, and the editor follows whichever question is on display."""

import pytest
from playwright.sync_api import expect

from tests.e2e.room_helpers import (
    editor_text,
    open_as_owner,
    open_as_seat,
    show_from_plan,
    type_in_editor,
)
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

PYTHON_STARTER = "def two_sum(nums, target):\n    pass\n"
SQL_STARTER = "SELECT name FROM users\n"


@pytest.fixture
def pair(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(
        made["room"],
        question("two-sum", starter_code=PYTHON_STARTER),
        question(
            "top-users",
            title="Top users",
            prompt="List the ten users with the most orders.",
            language="sql",
            starter_code=SQL_STARTER,
        ),
    )
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    yield made, ipage, cpage
    ictx.close()
    cctx.close()


def keyword_colour(page, word: str) -> str:
    """Colour of the first token `word` in the editor, as drawn."""
    token = page.locator("#editor .cm-line span", has_text=word).first
    expect(token).to_have_text(word)
    return token.evaluate("el => getComputedStyle(el).color")


def plain_colour(page) -> str:
    return page.locator("#editor .cm-content").evaluate("el => getComputedStyle(el).color")


def test_both_see_the_same_question_and_highlighted_starter_code(pair, screenshot_dir):
    _, ipage, cpage = pair
    show_from_plan(ipage, "Two sum")
    for page in (ipage, cpage):
        expect(page.locator("#question-title")).to_have_text("Two sum")
        expect(page.locator("#question .prompt")).to_contain_text("add up to target")
        expect(page.locator("#editor-lang")).to_have_text("python")
        expect(page.locator("#editor .cm-content")).to_have_text(
            "def two_sum(nums, target):    pass", use_inner_text=False
        )
        assert editor_text(page) == PYTHON_STARTER
        # Python keywords are drawn in the highlight colour, not the plain text colour.
        assert keyword_colour(page, "def") != plain_colour(page)
        assert keyword_colour(page, "pass") == keyword_colour(page, "def")


def test_candidate_typing_and_cursor_appear_on_the_interviewer_screen(pair, screenshot_dir):
    _, ipage, cpage = pair
    show_from_plan(ipage, "Two sum")
    expect(cpage.locator("#editor .cm-content")).to_contain_text("def two_sum")
    type_in_editor(cpage, "    seen = {}")
    expect(ipage.locator("#editor .cm-content")).to_contain_text("seen = {}")
    assert editor_text(ipage) == PYTHON_STARTER + "    seen = {}"
    caret = ipage.locator("#editor .cm-ySelectionCaret")
    expect(caret).to_have_count(1)
    expect(caret.locator(".cm-ySelectionInfo")).to_have_text("Ada")
    expect(caret.locator(".cm-ySelectionInfo")).to_be_visible()
    # The caret sits on the line the candidate is typing on.
    line = ipage.locator("#editor .cm-line", has_text="seen = {}")
    expect(line.locator(".cm-ySelectionCaret")).to_have_count(1)
    ipage.screenshot(path=screenshot_dir / "room-interviewer.png")
    cpage.screenshot(path=screenshot_dir / "room-candidate.png")


def test_the_editor_follows_the_question_on_display(pair):
    _, ipage, cpage = pair
    show_from_plan(ipage, "Two sum")
    type_in_editor(cpage, "    return []")
    expect(ipage.locator("#editor .cm-content")).to_contain_text("return []")

    show_from_plan(ipage, "Top users")
    for page in (ipage, cpage):
        expect(page.locator("#question-title")).to_have_text("Top users")
        expect(page.locator("#editor-lang")).to_have_text("sql")
        expect(page.locator("#editor .cm-content")).to_contain_text("SELECT name FROM users")
        assert editor_text(page) == SQL_STARTER
        assert keyword_colour(page, "SELECT") == keyword_colour(page, "FROM")
        assert keyword_colour(page, "SELECT") != plain_colour(page)
    type_in_editor(cpage, "ORDER BY 1")
    expect(ipage.locator("#editor .cm-content")).to_contain_text("ORDER BY 1")

    # Back to the first question: its code, with the candidate's work, is still there.
    show_from_plan(ipage, "Two sum")
    for page in (ipage, cpage):
        expect(page.locator("#editor-lang")).to_have_text("python")
        expect(page.locator("#editor .cm-content")).to_contain_text("return []")
        assert editor_text(page) == PYTHON_STARTER + "    return []"
