"""An observer watches: the question and the code as they change, no typing, no controls."""

import pytest
from playwright.sync_api import expect

from tests.e2e.room_helpers import (
    editor_text,
    open_as_owner,
    open_as_seat,
    show_from_plan,
    type_in_editor,
)
from tests.factories import SECRET, interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

STARTER = "def two_sum(nums, target):\n"


def test_an_observer_sees_the_question_and_code_but_cannot_type(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(made["room"], question("two-sum", starter_code=STARTER))
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    show_from_plan(ipage, "Two sum")
    octx, opage = open_as_seat(browser, server, made["seats"]["observer"])

    expect(opage.locator("#question-title")).to_have_text("Two sum")
    expect(opage.locator("#editor .cm-content")).to_contain_text("def two_sum")
    expect(opage.get_by_text("Read-only: you are observing")).to_be_visible()
    expect(opage.locator("#editor .cm-content")).to_have_attribute("aria-readonly", "true")

    # The observer's keystrokes go nowhere; the interviewer's arrive.
    opage.locator("#editor .cm-content").click()
    opage.keyboard.type("observer typing")
    type_in_editor(ipage, "    return []")
    expect(opage.locator("#editor .cm-content")).to_contain_text("return []")
    assert "observer typing" not in editor_text(opage)
    assert editor_text(ipage) == editor_text(opage) == STARTER + "    return []"

    expect(opage.locator("#timer-controls")).to_be_hidden()
    expect(opage.get_by_role("button", name="Start")).to_have_count(0)
    expect(opage.get_by_role("button", name="End interview")).to_have_count(0)
    assert SECRET not in opage.content()
    opage.screenshot(path=screenshot_dir / "room-observer.png")
    ictx.close()
    octx.close()
