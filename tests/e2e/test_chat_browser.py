"""Chat goes both ways between interviewer and candidate, with the sender's name."""

import pytest
from playwright.sync_api import expect

from tests.e2e.room_helpers import open_as_owner, open_as_seat
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def test_chat_arrives_both_ways(server, browser):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    cctx, cpage = open_as_seat(browser, server, made["seats"]["candidate"])

    ipage.get_by_label("Message").fill("Hi Ada, can you hear me?")
    ipage.get_by_role("button", name="Send").click()
    message = cpage.locator("#chat-log .msg", has_text="Hi Ada, can you hear me?")
    expect(message).to_be_visible()
    expect(message.locator(".who")).to_have_text("alice")
    expect(ipage.get_by_label("Message")).to_have_value("")

    # Enter sends; Shift+Enter makes a new line.
    cpage.get_by_label("Message").click()
    cpage.keyboard.type("Yes!")
    cpage.keyboard.press("Shift+Enter")
    cpage.keyboard.type("Loud and clear.")
    cpage.keyboard.press("Enter")
    reply = ipage.locator("#chat-log .msg", has_text="Loud and clear.")
    expect(reply.locator(".text")).to_have_text("Yes!\nLoud and clear.")
    expect(reply.locator(".who")).to_have_text("Ada")
    # Both logs hold the two messages, once each, in the same order.
    for page in (ipage, cpage):
        expect(page.locator("#chat-log .msg .text")).to_have_text(
            ["Hi Ada, can you hear me?", "Yes!\nLoud and clear."]
        )
    ictx.close()
    cctx.close()
