"""Invitations by email with a calendar event; a new candidate link updates the event."""

import pytest

from rooms.models import Room

pytestmark = pytest.mark.django_db


def test_an_invitation_carries_the_link_and_a_calendar_event(client, mailoutbox, settings):
    from tests.factories import interviewer

    settings.PUBLIC_URL = "https://interviews.example.org"
    client.force_login(interviewer("alice"))
    response = client.post(
        "/rooms/new",
        {
            "title": "Backend loop",
            "kind": "interview",
            "scheduled_at": "2030-03-04T09:30:00Z",
            "duration_minutes": "45",
            "invite_email": "ada@example.org",
        },
    )
    assert response.status_code == 302
    room = Room.objects.get(title="Backend loop")
    (mail,) = mailoutbox
    assert mail.to == ["ada@example.org"]
    link = next(line for line in mail.body.splitlines() if "/join/" in line)
    assert link.startswith(f"http://testserver/r/{room.id}/join/")
    (name, ics, mimetype) = mail.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    assert "DTSTART:20300304T093000Z\r\n" in ics and "DTEND:20300304T101500Z\r\n" in ics
    assert "SEQUENCE:0\r\n" in ics and f"UID:room-{room.id}@interviews.example.org" in ics
    assert "SUMMARY:Backend loop" in ics

    # A new candidate link sends the event again, updated (same UID, higher SEQUENCE).
    client.post(f"/r/{room.id}/links/candidate/new")
    update = mailoutbox[1].attachments[0][1]
    assert "SEQUENCE:1\r\n" in update and f"UID:room-{room.id}@" in update
    assert link not in mailoutbox[1].body


def test_an_invitation_needs_a_time_and_a_good_address(client, mailoutbox):
    from tests.factories import interviewer

    client.force_login(interviewer("alice"))
    no_time = client.post(
        "/rooms/new", {"title": "x", "kind": "interview", "invite_email": "a@b.org"}
    )
    when = "2030-03-04T09:30:00Z"
    bad = client.post(
        "/rooms/new",
        {"title": "y", "kind": "interview", "scheduled_at": when, "invite_email": "nope"},
    )
    assert no_time.status_code == bad.status_code == 400
    assert b"An invitation needs a date and time." in no_time.content
    assert not Room.objects.exists() and mailoutbox == []
