"""The picker finds what people type: abbreviations, a word's start, a misspelling."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from rooms import actions
from tests.e2e.room_helpers import open_as_owner
from tests.factories import interviewer

pytestmark = pytest.mark.django_db(transaction=True)

TYPED = [
    ("LRU", "A least-recently-used cache"),
    ("lru cache", "A least-recently-used cache"),
    ("N+1", "Finding and fixing N+1 queries"),
    ("decor", "Writing and using decorators"),
    ("decorater", "Writing and using decorators"),
    ("gil", "The Global Interpreter Lock"),
    ("mvcc", "MVCC, isolation and vacuum"),
    ("cte", "Walking a hierarchy with a recursive CTE"),
]


def test_the_picker_forgives_what_people_type(server, browser, screenshot_dir):
    call_command("load_questions", verbosity=0)
    alice = interviewer("alice")
    made = actions.create_room(alice, "Search", None)
    ictx, ipage = open_as_owner(browser, server, made.room, alice)
    ipage.get_by_role("tab", name="Plan").click()
    box = ipage.get_by_label("Search the question bank")
    hits = ipage.locator("#hits li")
    for typed, title in TYPED:
        box.fill(typed)
        expect(hits.first).to_contain_text(title)
        if typed == "lru cache":
            ipage.screenshot(path=str(screenshot_dir / "question-picker-forgiving.png"))
    # Nothing like it: the picker says so, it does not guess wildly.
    box.fill("zzzzqqq")
    expect(hits).to_have_text(["No question matches."])
    ictx.close()
