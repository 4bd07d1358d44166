"""The end of an interview: the interviewer sees an ended room with its summary and the way to
the review; the candidate is told the interview has ended, in the room, in the chat box and
when reopening the link; a refused chat message stays in its box."""

import pytest
from playwright.sync_api import expect

from tests.e2e.room_helpers import open_as_owner, open_as_seat, show_from_plan
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def end_interview(ipage) -> None:
    ipage.once("dialog", lambda dialog: dialog.accept())
    ipage.get_by_role("button", name="End interview").click()


def test_the_interviewer_sees_an_ended_room_with_a_summary(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    plan(made["room"], question("two-sum"), question("lru", title="LRU cache"))
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    show_from_plan(ipage, "Two sum")
    ipage.get_by_label("Minutes").fill("30")
    ipage.get_by_role("button", name="Start").click()
    expect(ipage.locator("#timer")).to_have_attribute("data-phase", "running")
    cpage.evaluate("window.room.send({ type: 'signal', kind: 'paste', chars: 420 })")
    expect(ipage.locator("#chat-log")).to_contain_text("pasted 420 characters")

    end_interview(ipage)
    ended = ipage.get_by_role("status", name="Interview ended")
    expect(ended).to_be_visible()
    expect(ended).to_contain_text("This interview has ended")
    summary = ipage.locator("#ended-summary")
    expect(summary).to_contain_text("Duration")
    expect(summary).to_contain_text("under a minute")
    expect(summary).to_contain_text("Two sum")
    expect(summary).not_to_contain_text("LRU cache")  # never shown
    expect(summary).to_contain_text("1 large paste")
    # Nothing steers an ended room: no Start, +5 min, Reset or End interview.
    for name in ("Start", "+5 min", "Reset", "Pause", "End interview"):
        expect(ipage.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(ipage.get_by_text("Thank you")).to_have_count(0)
    ipage.screenshot(path=screenshot_dir / "room-interviewer-ended.png")

    # The way to the review and scorecard.
    ipage.get_by_role("link", name="Open the review and scorecard").click()
    expect(ipage).to_have_url(f"{server.http_url}/r/{made['room'].id}/review/")
    # Reopening the room later shows it ended, with its summary, straight away.
    ipage.goto(f"{server.http_url}/r/{made['room'].id}/")
    expect(ipage.locator("#ended-summary")).to_contain_text("Two sum")
    expect(ipage.get_by_role("button", name="End interview")).to_have_count(0)
    ictx.close()
    cctx.close()


def test_the_candidate_is_told_the_interview_has_ended(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])
    end_interview(ipage)
    expect(cpage.get_by_text("This interview has ended. Thank you!")).to_be_visible()
    box = cpage.get_by_label("Message")
    expect(box).to_be_disabled()
    expect(box).to_have_attribute("placeholder", "The interview has ended")
    expect(cpage.locator("#chat-log")).not_to_contain_text("reconnecting")
    cpage.screenshot(path=screenshot_dir / "room-candidate-ended.png")

    # Reopening the link (a new tab, or the link from the email) says so too.
    token_page = cctx.new_page()
    response = token_page.goto(
        f"{server.http_url}/r/{made['room'].id}/join/{made['tokens']['candidate']}"
    )
    assert response.status == 410
    expect(token_page.get_by_role("heading", name="This interview has ended")).to_be_visible()
    expect(token_page.get_by_text("not valid")).to_have_count(0)
    cpage.reload()
    expect(cpage.get_by_role("heading", name="This interview has ended")).to_be_visible()
    token_page.screenshot(path=screenshot_dir / "link-interview-ended.png")
    ictx.close()
    cctx.close()


def test_a_refused_chat_message_stays_in_the_box(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    box = ipage.get_by_label("Message")
    # Five quick messages pass; the sixth inside a second is refused (rate limit).
    for i in range(5):
        ipage.evaluate(f"window.room.send({{ type: 'chat.send', text: 'm{i}' }})")
    expect(ipage.locator("#chat-log .msg .text")).to_have_count(5)
    box.fill("The one that must not be lost")
    ipage.get_by_role("button", name="Send").click()
    expect(ipage.locator("#chat-log .system")).to_contain_text("Not sent: too many chat messages")
    expect(box).to_have_value("The one that must not be lost")
    # Sent when allowed again, the box empties and the message arrives once.
    ipage.wait_for_timeout(1200)
    ipage.get_by_role("button", name="Send").click()
    expect(ipage.locator("#chat-log .msg .text", has_text="must not be lost")).to_have_count(1)
    expect(box).to_have_value("")
    ictx.close()
