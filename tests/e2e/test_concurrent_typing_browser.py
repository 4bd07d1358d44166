"""An interviewer and a candidate type at the same time, in two real Chromium editors: on
lines of their own and at the very same spot. Both screens agree within seconds and the
stored document holds every keystroke of both, none lost, none doubled."""

import time
from collections import Counter

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import assert_stored, wait_until
from tests.e2e.room_helpers import editor_text, two_sum_on_display

pytestmark = pytest.mark.django_db(transaction=True)

STARTER = "# interviewer:\n# candidate:\n"
INTERVIEWER_WORDS = " one two three four five six seven eight nine ten"
CANDIDATE_WORDS = " alpha beta gamma delta epsilon zeta eta theta iota kappa"
CHUNK = 3  # keys one typist sends before the other gets the keyboard back
AGREE_MS = 5000  # a few seconds, well under the clients' 10 s resync


@pytest.fixture
def pair(server, browser):
    shared = two_sum_on_display(browser, server, STARTER)
    yield shared.room, shared.text_name, shared.ipage, shared.cpage, server
    shared.ictx.close()
    shared.cctx.close()


def type_together(first: Page, first_text: str, second: Page, second_text: str) -> None:
    """Both type at once: a few keys each in turn, with no pause for the other's edits to
    arrive, so each editor takes remote edits while its own keystrokes are on their way."""
    for start in range(0, max(len(first_text), len(second_text)), CHUNK):
        for page, text in ((first, first_text), (second, second_text)):
            chunk = text[start : start + CHUNK]
            if chunk:
                page.keyboard.type(chunk, delay=10)


def agreed_text(ipage: Page, cpage: Page) -> str:
    """The code once both editors show the same; fails if they do not within AGREE_MS."""
    deadline = time.monotonic() + AGREE_MS / 1000
    while (texts := (editor_text(ipage), editor_text(cpage)))[0] != texts[1]:
        assert time.monotonic() < deadline, f"the editors still differ: {texts!r}"
        ipage.wait_for_timeout(50)
    return texts[0]


def put_caret(page: Page, keys: list[str]) -> None:
    page.locator("#editor .cm-content").click()
    for key in keys:
        page.keyboard.press(key)


def test_typing_at_once_on_separate_lines_keeps_every_keystroke(pair):
    room, text_name, ipage, cpage, server = pair
    put_caret(ipage, ["Control+Home", "End"])
    put_caret(cpage, ["Control+Home", "ArrowDown", "End"])
    type_together(ipage, INTERVIEWER_WORDS, cpage, CANDIDATE_WORDS)
    code = agreed_text(ipage, cpage)
    assert code == f"# interviewer:{INTERVIEWER_WORDS}\n# candidate:{CANDIDATE_WORDS}\n", (
        server.output()[-3000:]
    )
    assert_stored(room.id, text_name, code)


def test_typing_at_once_at_the_same_spot_keeps_every_keystroke(pair):
    room, text_name, ipage, cpage, server = pair
    put_caret(ipage, ["Control+End"])
    put_caret(cpage, ["Control+End"])
    type_together(ipage, INTERVIEWER_WORDS, cpage, CANDIDATE_WORDS)
    code = agreed_text(ipage, cpage)
    # Yjs may interleave the two typists' keys at one spot; each key is there exactly once.
    assert code.startswith(STARTER)
    typed = Counter(code.removeprefix(STARTER))
    assert typed == Counter(INTERVIEWER_WORDS + CANDIDATE_WORDS), server.output()[-3000:]
    assert_stored(room.id, text_name, code)


def test_enter_keeps_the_space_the_other_typist_just_typed_after_the_cursor(pair):
    """Text arriving at your cursor goes after it. The candidate types a space where the
    interviewer's cursor is, and the interviewer presses Enter before the candidate's next
    key arrives: the space stays. (CodeMirror's own Enter deletes the whitespace after the
    cursor, and so deleted a keystroke the interviewer never saw being typed.)"""
    room, text_name, ipage, cpage, _ = pair
    put_caret(ipage, ["Control+End"])
    put_caret(cpage, ["Control+End"])
    cpage.keyboard.type(" ")
    wait_until(
        ipage, "text => window.room.editor.view.state.doc.toString() === text", STARTER + " "
    )
    ipage.keyboard.press("Enter")
    ipage.keyboard.type("i")
    cpage.keyboard.type("c")
    code = agreed_text(ipage, cpage)
    assert code == STARTER + "\ni c"
    assert_stored(room.id, text_name, code)
