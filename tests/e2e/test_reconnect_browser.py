"""A candidate's network drops while both keep typing: the badge says so, and on reconnect
both editors and the stored document hold every keystroke exactly once."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_stored
from tests.e2e.room_helpers import (
    editor_text,
    two_sum_on_display,
    type_in_editor,
)

pytestmark = pytest.mark.django_db(transaction=True)

STARTER = "def two_sum(nums, target):\n"


@pytest.fixture
def pair(server, browser):
    shared = two_sum_on_display(browser, server, STARTER)
    yield shared
    shared.ictx.close()
    shared.cctx.close()


def test_edits_made_offline_merge_on_reconnect(pair, screenshot_dir):
    room, text_name, _, ipage, cctx, cpage = pair
    conn = cpage.locator("#conn")
    expect(conn).to_have_text("Connected")

    cctx.set_offline(True)
    expect(conn).to_have_attribute("data-state", "offline")
    # Who is online is not known while cut off: the list is dimmed, not shown as news.
    expect(cpage.locator("#participants")).to_have_css("opacity", "0.5")
    type_in_editor(cpage, "    seen = {}")
    expect(conn).to_have_text(re.compile(r"^Offline — \d+ edits pending$"))
    type_in_editor(ipage, "\n# interviewer was here")
    cpage.screenshot(path=screenshot_dir / "room-candidate-offline.png")
    # Nothing crosses while the candidate is offline.
    expect(ipage.locator("#editor .cm-content")).not_to_contain_text("seen")
    expect(cpage.locator("#editor .cm-content")).not_to_contain_text("interviewer was here")

    cctx.set_offline(False)
    expect(conn).to_have_text("Connected")
    expect(cpage.locator("#participants")).to_have_css("opacity", "1")
    for page in (ipage, cpage):
        expect(page.locator("#editor .cm-content")).to_contain_text("seen = {}")
        expect(page.locator("#editor .cm-content")).to_contain_text("# interviewer was here")
    merged = editor_text(ipage)
    assert editor_text(cpage) == merged
    assert merged.count("seen = {}") == 1
    assert merged.count("# interviewer was here") == 1
    assert sorted(merged) == sorted(STARTER + "    seen = {}" + "\n# interviewer was here")
    assert_stored(room.id, text_name, merged)


def test_edits_survive_a_server_restart(pair, server, daphne_servers):
    room, text_name, _, ipage, _, cpage = pair
    type_in_editor(cpage, "    seen = {}")
    expect(ipage.locator("#editor .cm-content")).to_contain_text("seen = {}")

    server.kill()
    for page in (ipage, cpage):
        expect(page.locator("#conn")).to_have_text("Reconnecting…")
    type_in_editor(cpage, "\n    return []")
    expect(cpage.locator("#conn")).to_have_text(re.compile(r"^Reconnecting… — \d+ edits pending$"))
    typed = editor_text(cpage)
    assert typed.startswith(STARTER + "    seen = {}\n") and typed.endswith("return []")

    daphne_servers(port=server.port)
    for page in (ipage, cpage):
        expect(page.locator("#conn")).to_have_text("Connected", timeout=20_000)
        expect(page.locator("#editor .cm-content")).to_contain_text("return []")
    assert editor_text(cpage) == editor_text(ipage) == typed
    assert_stored(room.id, text_name, typed)
