"""Invitations by email, through Django's email framework (console backend unless SMTP is
configured), each with an iCalendar (.ics) event that calendars add, and update when the
invitation is sent again with a higher SEQUENCE (a new link, say)."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage

from rooms.models import Room

DEFAULT_MINUTES = 60


def _text(value: str) -> str:
    """An iCalendar TEXT value: backslash, semicolon, comma and newline escaped."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_event(room: Room, link: str, method: str = "REQUEST") -> str:
    """The room as an iCalendar event (RFC 5545), its UID stable across updates."""
    start = room.scheduled_at or room.created_at
    end = start + timedelta(minutes=room.duration_minutes or DEFAULT_MINUTES)
    host = settings.PUBLIC_URL.split("://", 1)[-1].split("/", 1)[0]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Interview room//EN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:room-{room.id}@{host}",
        f"SEQUENCE:{room.invite_sequence}",
        f"DTSTAMP:{_stamp(datetime.now(UTC))}",
        f"DTSTART:{_stamp(start)}",
        f"DTEND:{_stamp(end)}",
        f"SUMMARY:{_text(room.title or 'Interview')}",
        f"DESCRIPTION:{_text('Join the interview: ' + link)}",
        f"URL:{link}",
        f"LOCATION:{_text(link)}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def send_invitation(room: Room, link: str) -> None:
    """Mail the candidate their link with the calendar event; a resend updates the event."""
    if not room.invite_email:
        return
    when = (
        room.scheduled_at.astimezone(UTC).strftime("%A %d %B %Y, %H:%M UTC")
        if room.scheduled_at
        else "whenever suits you both"
    )
    body = (
        f"Hello,\n\nYou are invited to “{room.title or 'an interview'}”: {when}"
        f"{f', for {room.duration_minutes} minutes' if room.duration_minutes else ''}.\n\n"
        f"Open this link in Chrome, Firefox or Safari at that time (no account needed):\n"
        f"{link}\n\nBefore the time, the link shows a waiting page that checks your browser "
        "and connection.\n"
    )
    message = EmailMessage(
        subject=f"Interview: {room.title or 'invitation'}",
        body=body,
        to=[room.invite_email],
    )
    message.attach("invite.ics", calendar_event(room, link), "text/calendar; method=REQUEST")
    message.send()
