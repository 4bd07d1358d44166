"""The interviewer's question picker in Chromium: a room from a template shows its timed plan;
searching the bank by words, category and level finds a question, and showing it adds it to
the plan and puts it on the candidate's screen, without its guidance."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from questions.models import Question
from rooms import actions
from tests.e2e.room_helpers import editor_text, open_as_owner, open_as_seat
from tests.factories import interviewer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def screen(server, browser):
    call_command("load_questions", verbosity=0)
    alice = interviewer("alice")
    made = actions.create_room(alice, "", "python-screen-45")
    made.seats["candidate"].name = "Ada"
    made.seats["candidate"].save(update_fields=["name"])
    ictx, ipage = open_as_owner(browser, server, made.room, alice)
    cctx, cpage = open_as_seat(browser, server, made.seats["candidate"])
    yield made, ipage, cpage
    ictx.close()
    cctx.close()


def test_find_a_coding_question_and_show_it_to_the_candidate(screen, screenshot_dir):
    made, ipage, cpage = screen
    ipage.get_by_role("tab", name="Plan").click()
    plan = ipage.locator("#plan li")
    expect(plan).to_have_count(3)
    expect(plan.first).to_contain_text("Mutable and immutable types")
    expect(plan.first).to_contain_text("10 min")
    expect(plan.last).to_contain_text("Two numbers that add up to a target")

    category = ipage.get_by_label("Category")
    expect(category.locator("option", has_text="Practical coding")).to_have_count(1)
    category.select_option(label="Practical coding")
    ipage.get_by_label("Search the question bank").fill("palindrome")
    hits = ipage.locator("#hits li")
    expect(hits).to_have_count(2)
    expect(hits.first).to_contain_text("Practical coding")
    ipage.get_by_label("Difficulty").select_option("medium")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text("Palindromes, ignoring case and punctuation")
    ipage.screenshot(path=str(screenshot_dir / "question-picker.png"))

    hits.first.get_by_role(
        "button", name="Show Palindromes, ignoring case and punctuation now"
    ).click()
    expect(plan).to_have_count(4)
    expect(plan.last).to_contain_text("On display")
    question = Question.objects.get(slug="coding-palindrome-ignoring-punctuation")
    expect(cpage.locator("#question-title")).to_have_text(question.title)
    expect(cpage.locator("#question .prompt")).to_contain_text("A man, a plan, a canal")
    expect(cpage.locator("#editor .cm-content")).to_contain_text("def is_loose_palindrome")
    assert editor_text(cpage) == question.starter_code
    # The visible test is the candidate's example; the hidden ones are the interviewer's.
    cpage.get_by_text("Examples (1)").click()
    expect(cpage.locator(".tests-box")).to_contain_text('assert not is_loose_palindrome("Django")')
    ipage.get_by_role("tab", name="Question").click()
    expect(ipage.locator("#guidance")).to_contain_text("1 · Weak: Does not get the examples right.")
    ipage.get_by_text("Hidden tests (3)").click()
    expect(ipage.locator("#guidance")).to_contain_text("letters from any alphabet")
    expect(ipage.locator("#guidance")).to_contain_text('assert is_loose_palindrome("Ésé")')
    ipage.screenshot(path=str(screenshot_dir / "question-guidance.png"))
    html = cpage.content()
    assert "letters from any alphabet" not in html
    assert question.guidance.splitlines()[1].strip() not in html
    assert "casefold() != text[right]" not in html  # the reference solution


def test_a_search_that_finds_nothing_says_so(screen):
    _, ipage, _ = screen
    ipage.get_by_role("tab", name="Plan").click()
    ipage.get_by_label("Search the question bank").fill("zeppelin")
    expect(ipage.locator("#hits")).to_have_text("No question matches.")
