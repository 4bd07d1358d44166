"""A multi-step exercise in Chromium: the interviewer reveals step 2 and it appears under the
candidate's prompt as it happens; step 3 never reaches the candidate's page before its turn."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from questions.models import Question
from tests.e2e.room_helpers import open_as_owner, open_as_seat, show_from_plan
from tests.factories import interviewer, plan, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_interviewer_reveals_step_two_to_the_candidate(browser, server, screenshot_dir):
    call_command("load_questions", "questions/bank/coding.yaml", verbosity=0)
    exercise = Question.objects.get(slug="coding-multistep-key-value-store")
    step_two, step_three = exercise.steps
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(made["room"], exercise)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    try:
        show_from_plan(ipage, exercise.title)
        expect(cpage.locator("#question-title")).to_have_text(exercise.title)
        steps = ipage.locator("#guidance .step-row")
        expect(steps).to_have_count(3)
        expect(steps.nth(0)).to_contain_text("current step")
        expect(steps.nth(2)).to_contain_text(step_three["title"])
        # Nothing of a later step is anywhere in the candidate's page, data included.
        assert step_two["title"] not in cpage.content()
        assert step_three["title"] not in cpage.content()

        ipage.get_by_role("button", name="Reveal step 2").click()
        step = cpage.locator("#question .step")
        expect(step).to_have_count(1)
        expect(step).to_contain_text(f"Step 2: {step_two['title']}")
        expect(step).to_contain_text("Add transactions, which can nest")
        expect(steps.nth(1)).to_contain_text("current step")
        expect(ipage.get_by_role("button", name="Reveal step 3")).to_be_visible()
        cpage.screenshot(path=str(screenshot_dir / "step-two-revealed-candidate.png"))
        ipage.screenshot(path=str(screenshot_dir / "step-two-revealed-interviewer.png"))
        assert step_three["title"] not in cpage.content()
        # A reload keeps it: the step is the room's.
        cpage.reload()
        expect(cpage.locator("#question .step")).to_contain_text(step_two["title"])
        assert step_three["title"] not in cpage.content()
    finally:
        ictx.close()
        cctx.close()
