"""The review page in Chromium: a scripted interview (known edits at known instants) replayed.

The room is written as the server would have stored it: Yjs updates from two participants'
documents in the update log with their times, and the transcript's events with theirs.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pycrdt import Doc, Text

from editor.documents import insert_text
from editor.models import DocUpdate
from rooms.models import ChatMessage, Note, RoomEvent, Score
from tests.e2e.conftest import login_session, seat_session, session_cookie, wait_until
from tests.e2e.room_helpers import (
    editor_text,
    two_sum_on_display,
    type_in_editor,
)
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LINE1 = "def two_sum(nums, target):\n"
LINE2 = "    seen = {}\n"
PASTED = (
    "    for i, n in enumerate(nums):\n"
    "        if target - n in seen:\n"
    "            return [seen[target - n], i]\n"
    "        seen[n] = i\n"
)
FIX = "    return []\n"
LEVELS = [
    {"score": 1, "label": "Weak", "description": "No ORDER BY."},
    {"score": 2, "label": "Mixed", "description": "Sorts, forgets the LIMIT."},
    {"score": 3, "label": "Solid", "description": "ORDER BY with LIMIT."},
    {"score": 4, "label": "Excellent", "description": "Also asks about ties."},
]
SQL_STARTER = "-- The three best paid employees\n"
SQL1 = "SELECT name FROM employees\n"
SQL2 = "ORDER BY salary DESC LIMIT 3;\n"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class Typist:
    """One participant's copy of the document; each edit becomes a logged update."""

    def __init__(self, client_id: int, seat, room, peers: list["Typist"]) -> None:
        self.doc = Doc(client_id=client_id)
        self.seat, self.room, self.peers = seat, room, peers
        peers.append(self)

    def type(self, seconds: float, text_name: str, code: str) -> None:
        text = self.doc.get(text_name, type=Text)
        before = self.doc.get_state()
        text.insert(len(str(text)), code)  # ASCII only: byte and character offsets agree
        update = self.doc.get_update(before)
        for peer in self.peers:
            if peer is not self:
                peer.doc.apply_update(update)
        DocUpdate.objects.create(
            room_id=self.room.id, at=at(seconds), seat_id=self.seat.id, data=update
        )


def scripted_room() -> dict:
    alice = interviewer("alice")
    made = room_with_seats(alice, "Backend loop")
    room, seats = made["room"], made["seats"]
    two_sum = question("two-sum")
    top_n = question("top-earners", title="Top earners", language="sql", rubric=LEVELS)
    items = plan(room, two_sum, top_n)
    for item, shown in zip(items, (5, 90), strict=True):
        item.shown_at = at(shown)
        item.save()
    room.status, room.started_at, room.ended_at = "ended", T0, at(150)
    room.save()
    q1, q2 = items[0].text_name, items[1].text_name
    cand, intv = seats["candidate"], seats["interviewer"]
    message = ChatMessage.objects.create(room=room, seat=cand, text="Can I use a dict?")
    events = [
        (0, intv, "join", {"seat": intv.id, "role": "interviewer"}),
        (2, cand, "join", {"seat": cand.id, "role": "candidate"}),
        (3, intv, "timer.start", {"duration_ms": 1_800_000}),
        (5, intv, "question.shown", {"question": two_sum.id, "title": "Two sum", "text": q1}),
        (30, cand, "paste", {"seat": cand.id, "chars": len(PASTED)}),
        (40, cand, "focus", {"seat": cand.id, "focused": False}),
        (70, cand, "focus", {"seat": cand.id, "focused": True}),
        (80, cand, "chat", {"message": message.id, "text": "Can I use a dict?"}),
        (90, intv, "question.shown", {"question": top_n.id, "title": "Top earners", "text": q2}),
        (115, intv, "question.shown", {"question": two_sum.id, "title": "Two sum", "text": q1}),
        (150, intv, "room.ended", {}),
    ]
    for seq, (seconds, actor, kind, data) in enumerate(events, start=1):
        RoomEvent.objects.create(
            room=room, seq=seq, at=at(seconds), actor=actor, type=kind, data=data
        )
    room.event_seq = len(events)
    room.save(update_fields=["event_seq"])
    peers: list[Typist] = []
    ada, host = Typist(1001, cand, room, peers), Typist(2002, intv, room, peers)
    ada.type(10, q1, LINE1)
    ada.type(20, q1, LINE2)
    ada.type(30, q1, PASTED)
    # Showing "Top earners" puts its starter code in, as the server does (nobody's typing).
    assert insert_text(room.id, q2, SQL_STARTER)
    latest = DocUpdate.objects.latest("id")
    DocUpdate.objects.filter(id=latest.id).update(at=at(90))
    for peer in peers:
        peer.doc.apply_update(bytes(latest.data))
    ada.type(100, q2, SQL1)
    ada.type(110, q2, SQL2)
    host.type(120, q1, FIX)
    Note.objects.create(room=room, seat=intv, text="Pasted the loop at 0:30; explained it well.")
    return {"alice": alice, "room": room, "seats": seats, "questions": (two_sum, top_n)}


def open_review(browser, server, session_key: str, room, **context_args) -> Page:
    context_args.setdefault("viewport", {"width": 1440, "height": 900})
    context = browser.new_context(accept_downloads=True, **context_args)
    context.add_cookies([session_cookie(server, session_key)])
    page = context.new_page()
    page.goto(f"{server.http_url}/r/{room.id}/review/")
    wait_until(page, "window.review && window.review.ready")
    return page


def scrub_to(page: Page, seconds: float) -> None:
    page.locator("#scrub").fill(str(int(seconds * 1000)))


def code(page: Page) -> str:
    return page.evaluate("window.review.code.view.state.doc.toString()")


def selected_tab(page: Page) -> str:
    return page.locator("#question-tabs [aria-selected=true]").inner_text()


@pytest.fixture
def scripted(server, browser):
    made = scripted_room()
    page = open_review(browser, server, login_session(made["alice"]), made["room"])
    yield made, page
    page.context.close()


def test_scrubbing_shows_each_question_as_it_stood(scripted, server, screenshot_dir):
    made, page = scripted
    expect(page.locator("#total-time")).to_have_text("2:30")
    expected = [
        (0, "Two sum", ""),
        (15, "Two sum", LINE1),
        (25, "Two sum", LINE1 + LINE2),
        (35, "Two sum", LINE1 + LINE2 + PASTED),
        (105, "Top earners", SQL_STARTER + SQL1),  # the question on display follows question.shown
        (119, "Two sum", LINE1 + LINE2 + PASTED),
        (150, "Two sum", LINE1 + LINE2 + PASTED + FIX),
    ]
    for seconds, title, text in expected:
        scrub_to(page, seconds)
        assert (selected_tab(page), code(page)) == (title, text), seconds
    # The browser's replay agrees with the server's code at an instant.
    for seconds in (35, 112):
        instant = at(seconds).isoformat().replace("+00:00", "Z")
        answer = page.request.get(
            f"{server.http_url}/api/v1/rooms/{made['room'].id}/code?at={instant}"
        )
        server_code = {q["title"]: q["code"] for q in answer.json()["questions"]}
        scrub_to(page, seconds)
        page.get_by_role("tab", name="Two sum").click()
        assert code(page) == server_code["Two sum"]
        page.get_by_role("tab", name="Top earners").click()
        assert code(page) == server_code["Top earners"]
    # Picking a tab by hand stops following the question on display.
    expect(page.get_by_label("Follow the question on display")).not_to_be_checked()
    scrub_to(page, 150)
    assert (selected_tab(page), code(page)) == ("Top earners", SQL_STARTER + SQL1 + SQL2)
    expect(page.locator("#code-lang")).to_have_text("sql")

    # Each participant's text carries their colour and name.
    page.get_by_label("Follow the question on display").check()
    assert selected_tab(page) == "Two sum"
    expect(page.locator('.cm-author[title="Typed by alice"]')).to_have_text(FIX.rstrip("\n"))
    expect(page.locator('.cm-author[title="Typed by Ada"]').first).to_contain_text("def two_sum")
    expect(page.locator("#last-edit")).to_contain_text("Last edit by alice at 2:00")
    page.screenshot(path=screenshot_dir / "review-laptop.png")


def test_play_at_32x_events_keyboard_and_activity(scripted, screenshot_dir):
    made, page = scripted
    # The timeline marks the events; pastes and leaving the tab stand out.
    expect(page.locator("#marks .mark")).to_have_count(11)
    expect(page.locator("#marks .mark.signal")).to_have_count(2)
    signals = page.locator("#events .event.signal")
    expect(signals).to_have_count(2)
    expect(signals.nth(0)).to_contain_text(f"Ada pasted {len(PASTED)} characters")
    expect(signals.nth(1)).to_contain_text("Ada left the tab for 0:30")
    expect(page.locator("#tab-btn-events .signal-count")).to_have_text("2")
    # Jump from the list.
    page.locator("#events .event", has_text="pasted").get_by_role("button").click()
    expect(page.locator("#pos-time")).to_have_text("0:30")
    assert code(page) == LINE1 + LINE2 + PASTED
    page.locator("#events .event", has_text="showed “Top earners”").get_by_role("button").click()
    assert selected_tab(page) == "Top earners"
    assert code(page) == SQL_STARTER
    expect(page.locator('.cm-author[title="Starter code"]')).to_have_text(SQL_STARTER.strip())
    expect(page.locator("#last-edit")).to_contain_text("Starter code put in at 1:30")
    page.get_by_label("Integrity signals only").check()
    expect(page.locator("#events .event:visible")).to_have_count(2)

    # Activity: edits per minute, one colour per participant.
    seats = made["seats"]
    chart = page.locator("#activity svg")
    expect(chart.locator(f'rect[data-seat="{seats["candidate"].id}"]')).to_have_count(2)
    expect(chart.locator(f'rect[data-seat="{seats["interviewer"].id}"]')).to_have_count(1)
    expect(page.locator(".legend-item", has_text="Ada")).to_contain_text("candidate · 5 edits")

    # Keyboard: Home, then edit by edit with the arrows, space plays and pauses.
    page.locator("#play").focus()
    page.keyboard.press("Home")
    expect(page.locator("#pos-time")).to_have_text("0:00")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#pos-time")).to_have_text("0:10")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#pos-time")).to_have_text("0:20")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#pos-time")).to_have_text("0:10")
    assert code(page) == LINE1

    # Play at 32x: the clock and the code move on by themselves, then pause.
    page.locator("#speed").select_option("32")
    expect(page.locator("#speed-note")).to_contain_text("pauses over 5 s skipped")
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    wait_until(page, "window.review.player.time >= Date.UTC(2026, 10, 20, 9, 0, 31)")
    assert PASTED in code(page)
    page.get_by_role("button", name="Pause").click()
    paused = page.evaluate("window.review.player.time")
    page.wait_for_timeout(300)
    assert page.evaluate("window.review.player.time") == paused
    # Real time: one second of wall clock is one second of interview.
    page.locator("#speed").select_option("realtime")
    expect(page.locator("#speed-note")).to_contain_text("pauses included")
    page.keyboard.press("Space")
    page.wait_for_timeout(1500)
    page.keyboard.press("Space")
    played = page.evaluate("window.review.player.time") - paused
    assert 1000 <= played < 4000
    page.screenshot(path=screenshot_dir / "review-events.png")
    # The question tabs take the arrow keys.
    page.get_by_role("tab", name="Two sum").focus()
    page.keyboard.press("ArrowRight")
    assert selected_tab(page) == "Top earners"
    expect(page.get_by_role("tab", name="Top earners")).to_be_focused()


def test_scorecard_saves_and_exports_download(scripted, screenshot_dir):
    made, page = scripted
    two_sum, top_n = made["questions"]
    page.get_by_role("tab", name="Notes").click()
    expect(page.locator("#notes")).to_contain_text("Pasted the loop at 0:30")
    page.get_by_role("tab", name="Scorecard").click()
    card = page.locator("#scorecard")
    expect(card.locator(f'[data-question="{two_sum.id}"] .rubric')).to_contain_text(
        "O(n) with a dict"
    )
    # A rubric of levels is the scale: each level with its description.
    expect(card.locator(f'[data-question="{top_n.id}"] .level')).to_have_text(
        [f"{level['score']} · {level['label']}{level['description']}" for level in LEVELS]
    )
    card.locator(f'[data-question="{two_sum.id}"]').get_by_label("3 · Solid").check()
    card.get_by_label("Comment on Two sum").fill("Hash map, O(n).")
    card.locator(f'[data-question="{top_n.id}"]').get_by_label("4 · Excellent").check()
    card.get_by_label("Yes", exact=True).check()
    card.get_by_label("Overall comment").fill("Hire.")
    expect(card.get_by_role("status")).to_have_text("Unsaved changes")
    card.get_by_role("button", name="Save scorecard").click()
    expect(card.get_by_role("status")).to_contain_text("Saved at")
    page.screenshot(path=screenshot_dir / "review-scorecard.png")
    scores = {
        (s.item.question_id if s.item else None): s
        for s in Score.objects.filter(room=made["room"]).select_related("item")
    }
    assert (scores[two_sum.id].rating, scores[two_sum.id].comment) == (3, "Hash map, O(n).")
    assert scores[top_n.id].rating == 4
    assert (scores[None].recommendation, scores[None].comment) == ("yes", "Hire.")
    # After a reload the card shows what was saved.
    page.reload()
    wait_until(page, "window.review && window.review.ready")
    page.get_by_role("tab", name="Scorecard").click()
    expect(
        card.locator(f'[data-question="{two_sum.id}"]').get_by_label("3 · Solid")
    ).to_be_checked()
    expect(card.get_by_label("Yes", exact=True)).to_be_checked()

    with page.expect_download() as md:
        page.get_by_role("link", name="Export Markdown").click()
    assert md.value.suggested_filename.endswith(".md")
    markdown = Path(md.value.path()).read_text(encoding="utf-8")
    assert "Backend loop" in markdown and FIX.strip() in markdown
    with page.expect_download() as js:
        page.get_by_role("link", name="Export JSON").click()
    assert js.value.suggested_filename.endswith(".json")
    transcript = json.loads(Path(js.value.path()).read_text(encoding="utf-8"))
    assert [e["type"] for e in transcript["events"]][:2] == ["join", "join"]


def test_candidate_and_observer_reach_no_review_nor_export(server, browser):
    made = scripted_room()
    room = made["room"]
    room.status = "live"  # their links still work in a live room
    room.save(update_fields=["status"])
    for role in ("candidate", "observer"):
        context = browser.new_context()
        context.add_cookies([session_cookie(server, seat_session(made["seats"][role]))])
        page = context.new_page()
        response = page.goto(f"{server.http_url}/r/{room.id}/review/")
        assert response.status == 403
        expect(page.get_by_role("heading")).to_have_text(
            "Only the room's interviewers can review it"
        )
        for path in ("updates", "transcript?format=md", "transcript?format=json&download=1"):
            answer = page.request.get(f"{server.http_url}/api/v1/rooms/{room.id}/{path}")
            assert answer.status in (403, 404)
            assert "Backend loop" not in answer.text() and "def two_sum" not in answer.text()
        context.close()


def test_review_looks_right_on_a_tablet_and_in_dark_mode(server, browser, screenshot_dir):
    made = scripted_room()
    looks = (
        ("review-tablet", {"width": 820, "height": 1180}, "light"),
        ("review-tablet-landscape", {"width": 1180, "height": 820}, "light"),
        ("review-dark", {"width": 1440, "height": 900}, "dark"),
    )
    for name, viewport, scheme in looks:
        page = open_review(
            browser, server, login_session(made["alice"]), made["room"],
            viewport=viewport, color_scheme=scheme,
        )  # fmt: skip
        scrub_to(page, 150)
        assert code(page) == LINE1 + LINE2 + PASTED + FIX
        # Nothing spills sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
        if scheme == "dark":
            page.get_by_role("tab", name="Scorecard").click()
            page.screenshot(path=screenshot_dir / f"{name}-scorecard.png")
        page.context.close()


def test_a_room_that_has_not_started_shows_an_empty_recording(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice, "Tomorrow's loop")
    plan(made["room"], question("two-sum"))
    page = open_review(browser, server, login_session(alice), made["room"])
    expect(page.locator("#review-editor")).to_contain_text("No question was shown")
    expect(page.locator("#load-error")).to_be_hidden()
    expect(page.locator("#review-when")).to_contain_text("Live: recorded so far")
    expect(page.locator("#last-edit")).to_have_text("No edits yet")
    page.get_by_role("tab", name="Scorecard").click()
    expect(page.locator("#scorecard legend").first).to_have_text("Two sum")
    page.context.close()


def converge(writer: Page, reader: Page, ending: str) -> str:
    """Wait until the writer's code ends with `ending` and the reader shows the same code."""
    wait_until(writer, f"window.room.editor.view.state.doc.toString().endsWith({ending!r})")
    code = editor_text(writer)
    wait_until(reader, "code => window.room.editor.view.state.doc.toString() === code", code)
    return code


def test_a_room_typed_in_by_real_browsers_replays_to_what_they_saw(server, browser):
    """The whole path: Yjs updates from two Chromium editors through the document channel,
    stored, then replayed by the review page."""
    room, _, ictx, ipage, cctx, cpage = two_sum_on_display(
        browser, server, "def two_sum(nums, target):\n"
    )
    type_in_editor(cpage, "    seen = {}")
    type_in_editor(cpage, " # return seen")
    cpage.keyboard.press("Backspace")
    cpage.keyboard.press("Backspace")
    converge(cpage, ipage, "se")
    type_in_editor(ipage, "\n# fine")
    final = converge(ipage, cpage, "fine")
    assert final.startswith("def two_sum(nums, target):\n    seen = {}")
    # Stored before it was relayed: the log already holds every keystroke.
    cctx.close()
    review = open_review(browser, server, login_session(room.owner), room)
    review.keyboard.press("End")
    assert (selected_tab(review), code(review)) == ("Two sum", final)
    expect(review.locator(".cm-author", has_text="seen")).to_have_attribute("title", "Typed by Ada")
    expect(review.locator(".cm-author", has_text="fine")).to_have_attribute(
        "title", "Typed by alice"
    )
    expect(review.locator(".cm-author", has_text="def two_sum")).to_have_attribute(
        "title", "Starter code"
    )
    # Edit by edit backwards: alice's last keystrokes go first (those stored in the same
    # instant go together).
    review.keyboard.press("ArrowLeft")
    earlier = code(review)
    assert final.startswith(earlier) and len(final) - len("# fine") <= len(earlier) < len(final)
    review.context.close()
    ictx.close()


def test_the_dashboard_leads_to_the_review(server, browser, screenshot_dir):
    made = scripted_room()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([session_cookie(server, login_session(made["alice"]))])
    page = context.new_page()
    page.goto(f"{server.http_url}/")
    row = page.locator(".room-row", has_text="Backend loop")
    page.screenshot(path=screenshot_dir / "review-dashboard.png")
    row.get_by_role("link", name="Review").click()
    wait_until(page, "window.review && window.review.ready")
    assert page.url.endswith(f"/r/{made['room'].id}/review/")
    assert code(page) == LINE1 + LINE2 + PASTED + FIX  # it opens on the final code
    # The address names the moment on screen, to share it; a shared link opens there.
    scrub_to(page, 105)
    expect(page).to_have_url(re.compile(r"#t=1:45$"))
    page.goto(page.url.replace("#t=1:45", "#t=0:35"))
    expect(page.locator("#pos-time")).to_have_text("0:35")
    page.reload()
    wait_until(page, "window.review && window.review.ready")
    expect(page.locator("#pos-time")).to_have_text("0:35")
    assert code(page) == LINE1 + LINE2 + PASTED
    context.close()
