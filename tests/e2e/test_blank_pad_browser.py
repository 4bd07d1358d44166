"""A pad for anything: an interviewer opens a blank pad with a title, a language and a prompt
written on the spot; the candidate sees it, both type in it with the language's highlighting;
it stays out of the bank's search until saved there."""

import pytest
from playwright.sync_api import expect

from questions.models import Question
from tests.e2e.room_helpers import open_as_owner, open_as_seat, type_in_editor
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def test_open_a_blank_pad_and_save_it_to_the_bank(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    ipage.get_by_role("tab", name="Plan").click()
    # A pad needs a title: nothing is made without one.
    ipage.get_by_role("button", name="Open the pad").click()
    assert not Question.objects.filter(slug__startswith="pad-").exists()

    ipage.get_by_label("Pad title").fill("Reverse a string")
    ipage.get_by_label("Language").select_option("typescript")
    ipage.get_by_label("Prompt").fill("Write `reverse(s: string): string`.")
    ipage.get_by_role("button", name="Open the pad").click()
    expect(cpage.locator("#question-title")).to_have_text("Reverse a string")
    expect(cpage.locator("#question .prompt code")).to_have_text("reverse(s: string): string")
    expect(cpage.locator("#editor-lang")).to_have_text("typescript")
    type_in_editor(cpage, "const answer: number = 42;")
    expect(ipage.locator("#editor .cm-content")).to_contain_text("const answer: number = 42;")
    # TypeScript highlighting: the keyword is a token of its own.
    expect(ipage.locator("#editor .cm-line span", has_text="const")).to_have_count(1)
    ipage.screenshot(path=screenshot_dir / "room-interviewer-blank-pad.png")

    # Not in the bank's search until saved there.
    ipage.get_by_label("Search the question bank").fill("reverse a string")
    expect(ipage.locator("#hits li")).to_have_text(["No question matches."])
    ipage.get_by_role("button", name="Save Reverse a string to the bank").click()
    expect(ipage.get_by_role("button", name="Save Reverse a string to the bank")).to_have_count(0)
    ipage.get_by_label("Search the question bank").fill("reverse string")
    expect(ipage.locator("#hits li").first).to_contain_text("Reverse a string")
    expect(ipage.locator("#hits li").first).to_contain_text("Custom questions")
    # The candidate can neither open nor save pads.
    cpage.evaluate("window.room.send({ type: 'pad.create', title: 'x', language: 'python' })")
    cpage.wait_for_timeout(300)
    assert Question.objects.filter(title="x").count() == 0
    ictx.close()
    cctx.close()
