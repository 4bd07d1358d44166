"""Run in the room, in Chromium: the candidate runs, everyone watches the output stream in; the
interviewer runs the hidden tests meanwhile and only interviewers see them, in a console of
their own; the candidate runs the tests; the review shows each run with what it printed."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, wait_until
from tests.e2e.room_helpers import open_as_owner, open_as_seat, show_from_plan
from tests.factories import SECRET, interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

STARTER = "def double(n):\n    return n * 2\n"
PROGRAM = "print('hello', double(21))\nimport time\ntime.sleep(2)\nprint('bye')\n"
VISIBLE = [
    {"name": "doubles two", "code": "assert double(2) == 4"},
    {"name": "doubles three", "code": "assert double(3) == 7"},
]
STYLED = "(selector) => getComputedStyle(document.querySelector(selector)).whiteSpace"
HIDDEN = [{"name": f"negative {SECRET}", "code": "assert double(-1) == -2"}]


@pytest.fixture
def local_runs(daphne_servers):
    return daphne_servers(env={"RUNNER_QUEUE": "local"})


def test_run_tests_and_hidden_tests_in_the_room(browser, local_runs):
    server = local_runs
    alice = interviewer("alice")
    made = room_with_seats(alice)
    asked = question(
        "double", title="Double", starter_code=STARTER, visible_tests=VISIBLE, hidden_tests=HIDDEN
    )
    plan(made["room"], asked)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    octx, opage = open_as_seat(browser, server, made["seats"]["observer"])
    try:
        show_from_plan(ipage, "Double")
        expect(cpage.locator("#editor .cm-content")).to_contain_text("return n * 2")
        # Observers watch: no Run button. Candidates have no hidden tests button.
        expect(opage.locator("#run-btn")).to_have_count(0)
        expect(cpage.locator("#run-hidden-btn")).to_have_count(0)

        # The candidate adds a program (one edit: keystrokes on a busy machine can race the
        # editor's auto-closing brackets) and presses Ctrl+Enter in the editor.
        cpage.evaluate(
            "(text) => { const v = window.room.editor.view;"
            " v.dispatch({changes: {from: v.state.doc.length, insert: text}}); }",
            "\n" + PROGRAM,
        )
        wait_until(cpage, "window.room.shared.status.pendingEdits === 0")
        cpage.locator("#editor .cm-content").click()
        cpage.keyboard.press("Control+Enter")
        for page in (ipage, cpage, opage):
            expect(page.locator("#run-output")).to_contain_text("hello 42")
        # Streamed: seen while the program still sleeps, before it prints the rest.
        assert "bye" not in ipage.locator("#run-output").inner_text()
        expect(ipage.locator("#run-status")).to_contain_text("Running")
        # Meanwhile the interviewer runs the hidden tests: they take a place of their own.
        expect(ipage.locator("#hidden-run-console")).to_be_hidden()
        ipage.locator("#run-hidden-btn").click()
        expect(ipage.locator("#hidden-run-heading")).to_contain_text("Hidden tests by you")
        # The observer reloads mid-run: the page shows what was printed so far, then the rest.
        opage.reload()
        expect(opage.locator("#run-output")).to_contain_text("hello 42")
        expect(opage.locator("#run-heading")).to_have_text("Run by Ada")
        for page in (ipage, cpage, opage):
            expect(page.locator("#run-output")).to_contain_text("bye")
            expect(page.locator("#run-result")).to_contain_text("exit 0")
        expect(ipage.locator("#run-heading")).to_have_text("Run by Ada")
        assert opage.locator("#run-output").inner_text().count("hello 42") == 1  # not twice
        expect(ipage.locator("#hidden-run-result")).to_contain_text("1 passed, 0 failed")
        hidden_pass = ipage.locator("#hidden-run-console .run-test.pass")
        expect(hidden_pass).to_contain_text(f"negative {SECRET}")
        # The console is styled on every page (its styles are in a chunk the pages share).
        for page in (ipage, cpage, opage):
            assert page.evaluate(STYLED, "#run-output") == "pre-wrap"

        # The candidate runs the visible tests: both see each result.
        cpage.locator("#run-tests-btn").click()
        for page in (ipage, cpage):
            expect(page.locator("#run-result")).to_contain_text("1 passed, 1 failed")
            expect(page.locator("#run-console .run-test.pass")).to_contain_text("doubles two")
            expect(page.locator("#run-console .run-test.fail")).to_contain_text("doubles three")
            message = page.locator("#run-console .run-test.fail .run-test-message")
            expect(message).to_contain_text("assert 6 == 7")
        # The hidden tests' result stays in the interviewer's own console; nobody else has it.
        expect(hidden_pass).to_contain_text(f"negative {SECRET}")
        wait_until(cpage, "window.room.control.status === 'connected'")
        for page in (cpage, opage):
            expect(page.locator("#hidden-run-console")).to_have_count(0)
            assert SECRET not in page.content()
        ipage.screenshot(path=str(SCREENSHOTS / "run-interviewer-hidden.png"))
        cpage.screenshot(path=str(SCREENSHOTS / "run-candidate.png"))

        # The review shows each run on the timeline with what it printed then.
        ipage.goto(f"{server.http_url}/r/{made['room'].id}/review/")
        runs = ipage.locator("#events .event[data-type=run]")
        expect(runs).to_have_count(3)
        # The factory's question has a second step, not shown: each run checked step 1.
        expect(runs.nth(0)).to_contain_text("Ada ran “Double” (step 1): exit 0")
        expect(runs.nth(1)).to_contain_text("ran the hidden tests of")
        expect(runs.nth(2)).to_contain_text(
            "ran the tests of “Double” (step 1): 1 passed, 1 failed"
        )
        runs.nth(0).locator("summary").click()
        expect(runs.nth(0).locator(".run-output")).to_contain_text("hello 42\nbye")
        assert ipage.evaluate(STYLED, ".run-record .run-output") == "pre-wrap"
    finally:
        for context in (ictx, cctx, octx):
            context.close()
