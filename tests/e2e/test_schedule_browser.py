"""Schedule and invite: a room gets a date, time and duration on the dashboard; the candidate
who opens the link early waits on a page with a countdown and a browser and connection check,
then goes in by itself when the room opens."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rooms.models import Room
from tests.e2e.conftest import login_session, seat_session, session_cookie, wait_until
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def test_schedule_a_room_on_the_dashboard(server, browser, screenshot_dir):
    alice = interviewer("alice")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Paris"
    )
    context.add_cookies([session_cookie(server, login_session(alice))])
    page = context.new_page()
    page.goto(f"{server.http_url}/")
    page.get_by_label("Title").fill("Backend loop")
    page.get_by_label("Date and time").fill("2030-03-04T10:30")
    page.get_by_label("Duration in minutes").fill("45")
    page.get_by_role("button", name="Create room").click()
    row = page.locator("#sec-upcoming + .room-list .room-row")
    expect(row).to_contain_text("Scheduled")
    expect(row).to_contain_text("45 min")
    page.screenshot(path=screenshot_dir / "dashboard-scheduled.png", full_page=True)
    room = Room.objects.get(title="Backend loop")
    # 10:30 in Paris (winter) is 09:30 UTC.
    assert room.scheduled_at.isoformat() == "2030-03-04T09:30:00+00:00"
    assert room.duration_minutes == 45
    context.close()


def test_an_early_candidate_waits_then_goes_in(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    room = made["room"]
    room.scheduled_at = timezone.now() + timedelta(hours=2)
    room.duration_minutes = 45
    room.save()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([session_cookie(server, seat_session(made["seats"]["candidate"]))])
    page = context.new_page()
    page.goto(f"{server.http_url}/r/{room.id}/")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^1:5\d:\d\d$|^01:5\d:\d\d$"))
    checks = page.locator("#checks li")
    for check in ("http", "websocket", "editor", "clock"):
        expect(page.locator(f'[data-check="{check}"]')).to_have_attribute("data-state", "ok")
    expect(checks.filter(has_text="Live connection works")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "waiting-page-phone.png")
    # Waiting does not start the interview.
    room.refresh_from_db()
    assert room.status == "scheduled"

    # The room opens five minutes before the time: the page goes in by itself.
    Room.objects.filter(id=room.id).update(
        scheduled_at=timezone.now() + timedelta(minutes=5, seconds=3)
    )
    page.reload()
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^00:05:0\d$"))
    wait_until(page, "window.room && window.room.control.status === 'connected'", timeout_ms=20_000)
    context.close()
