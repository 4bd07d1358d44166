"""Edits typed offline are kept in the browser: a reload (or a closed tab) while offline loses
none of them, the page warns before leaving while they have reached no server, and when the
room is opened again they reach the server and the interviewer exactly once."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_stored, wait_until
from tests.e2e.room_helpers import editor_text, two_sum_on_display, type_in_editor

pytestmark = pytest.mark.django_db(transaction=True)

STARTER = "def two_sum(nums, target):\n"
ONLINE = "    seen = {}"
OFFLINE = " # typed offline"
INTERVIEWER = " # interviewer was here"
CONNECTED = "window.room && window.room.control.status === 'connected'"
# True once the browser holds no copy of the room (waits up to 5 s: deleting one takes a moment).
LOCAL_COPY_GONE = """async () => {
  const gone = async () =>
    !(await indexedDB.databases()).some((db) => db.name.startsWith("interview-room/")) &&
    !Object.keys(localStorage).some((key) => key.startsWith("interview-room/"));
  for (let tries = 0; tries < 50; tries++) {
    if (await gone()) return true;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  return false;
}"""

# Every text the connection badge shows, from the first paint on (a page's first label is
# gone as soon as its document channel syncs).
BADGE_HISTORY = """
window.badgeHistory = [];
new MutationObserver(() => {
  const text = document.getElementById("conn-label")?.textContent;
  if (text && window.badgeHistory.at(-1) !== text) window.badgeHistory.push(text);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


@pytest.fixture
def pair(server, browser):
    shared = two_sum_on_display(browser, server, STARTER)
    yield shared
    shared.ictx.close()
    shared.cctx.close()


def leave_warnings(page: Page) -> list[str]:
    """The dialogs the page shows, each accepted (for a leave warning: leave)."""
    shown: list[str] = []

    def accept(dialog) -> None:
        shown.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    return shown


def close_tab(page: Page) -> None:
    """Close as the user does: the page's leave handlers run (and may warn) first."""
    with page.expect_event("close"):
        page.close(run_before_unload=True)


def pending_count(page: Page) -> int:
    conn = page.locator("#conn-label")
    expect(conn).to_have_text(re.compile(r"^Offline — \d+ edits pending$"))
    return int(re.search(r"\d+", conn.text_content() or "").group())


def test_edits_typed_offline_survive_a_reload_and_merge_once(pair):
    room, text_name, _, ipage, cctx, cpage = pair
    cctx.add_init_script(BADGE_HISTORY)
    room_url = cpage.url
    conn = cpage.locator("#conn-label")
    warnings = leave_warnings(cpage)

    # Typed online: nothing pending, so a reload asks nothing; the browser's copy of the
    # document and the server's hold the same edits, and they are not doubled.
    type_in_editor(cpage, ONLINE)
    expect(ipage.locator("#editor .cm-content")).to_contain_text("seen = {}")
    expect(conn).to_have_text("Connected")
    cpage.reload()
    wait_until(cpage, CONNECTED)
    expect(conn).to_have_text("Connected")
    expect(cpage.locator("#editor .cm-content")).to_contain_text("seen = {}")
    assert warnings == []
    assert editor_text(cpage) == STARTER + ONLINE

    cctx.set_offline(True)
    expect(cpage.locator("#conn")).to_have_attribute("data-state", "offline")
    type_in_editor(cpage, OFFLINE)
    pending = pending_count(cpage)
    type_in_editor(ipage, INTERVIEWER)
    # The page itself cannot load while offline: the reload fails, after the leave warning.
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        cpage.reload()
    assert warnings == ["beforeunload"]
    expect(ipage.locator("#editor .cm-content")).not_to_contain_text("typed offline")

    cctx.set_offline(False)
    cpage.goto(room_url)
    wait_until(cpage, CONNECTED)
    expect(conn).to_have_text("Connected")
    # The reopened page told the truth before its edits went out.
    assert f"Connecting… — {pending} edits pending" in cpage.evaluate("window.badgeHistory")
    for page in (ipage, cpage):
        expect(page.locator("#editor .cm-content")).to_contain_text("typed offline")
        expect(page.locator("#editor .cm-content")).to_contain_text("interviewer was here")
    merged = editor_text(ipage)
    assert editor_text(cpage) == merged
    assert merged.count("typed offline") == 1
    assert sorted(merged) == sorted(STARTER + ONLINE + OFFLINE + INTERVIEWER)
    assert_stored(room.id, text_name, merged)

    # All delivered: closing the tab asks nothing (typing first: a page the user has not
    # touched may not warn at all).
    type_in_editor(cpage, " # back online")
    expect(ipage.locator("#editor .cm-content")).to_contain_text("back online")
    expect(conn).to_have_text("Connected")
    close_tab(cpage)
    assert warnings == ["beforeunload"]


def test_a_tab_closed_offline_hands_its_edits_to_the_seats_other_tab(pair):
    room, text_name, _, ipage, cctx, cpage = pair
    other = cctx.new_page()
    other.goto(cpage.url)
    wait_until(other, CONNECTED)
    expect(other.locator("#editor .cm-content")).to_contain_text("def two_sum")
    warnings = leave_warnings(cpage)

    cctx.set_offline(True)
    expect(other.locator("#conn")).to_have_attribute("data-state", "offline")
    type_in_editor(cpage, OFFLINE)
    close_tab(cpage)  # right after the last keystroke
    assert warnings == ["beforeunload"]
    # The other tab of the seat shares what the browser keeps, and says what waits in it.
    expect(other.locator("#conn-label")).to_have_text(f"Offline — {len(OFFLINE)} edits pending")
    expect(other.locator("#editor .cm-content")).not_to_contain_text("typed offline")

    cctx.set_offline(False)
    expect(other.locator("#conn-label")).to_have_text("Connected")
    for page in (ipage, other):
        expect(page.locator("#editor .cm-content")).to_contain_text("typed offline")
    merged = editor_text(ipage)
    assert merged == editor_text(other) == STARTER + OFFLINE
    assert_stored(room.id, text_name, merged)


def test_edits_a_room_ended_without_are_said_lost_and_not_warned_about(pair):
    _, _, _, ipage, cctx, cpage = pair
    warnings = leave_warnings(cpage)
    cctx.set_offline(True)
    type_in_editor(cpage, OFFLINE)
    pending = pending_count(cpage)
    ipage.evaluate("window.room.send({ type: 'room.end' })")
    expect(ipage.locator("#ended")).to_be_visible()

    cctx.set_offline(False)
    expect(cpage.locator("#conn-label")).to_have_text(
        f"Interview ended — {pending} edits typed offline could not be saved"
    )
    assert "typed offline" not in editor_text(ipage)
    # The browser keeps nothing of a room its link no longer opens.
    assert cpage.evaluate(LOCAL_COPY_GONE)
    # Nothing can be done about them any more: leaving asks nothing.
    close_tab(cpage)
    assert warnings == []


def test_a_reopened_room_shows_the_code_before_its_document_channel_answers(pair):
    _, _, _, ipage, cctx, cpage = pair
    type_in_editor(cpage, ONLINE)
    expect(ipage.locator("#editor .cm-content")).to_contain_text("seen = {}")
    # Say a proxy now drops the document channel: the control channel still answers, so the
    # page knows the question, and the code comes from what the browser kept.
    cctx.route_web_socket(re.compile(r"/ws/doc/"), lambda socket: socket.close())
    cpage.reload()
    wait_until(cpage, CONNECTED)
    # One channel up, the other never yet: the new page is still connecting.
    expect(cpage.locator("#conn-label")).to_have_text("Connecting…")
    expect(cpage.locator("#editor .cm-content")).to_contain_text("seen = {}")
    assert editor_text(cpage) == STARTER + ONLINE
