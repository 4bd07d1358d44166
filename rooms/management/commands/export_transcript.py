"""export_transcript: print a room's transcript as JSON (the contract's) or Markdown."""

import json
from datetime import UTC
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from rooms import transcript
from rooms.models import Room


class Command(BaseCommand):
    help = "Print a room's transcript; with --at, each question's code as it stood then."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("room", help="the room's id")
        parser.add_argument("--format", choices=["json", "md"], default="json")
        parser.add_argument(
            "--at",
            default=None,
            help="ISO 8601 instant, e.g. 2026-11-25T10:30:00Z (UTC if no zone)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        room = Room.objects.filter(id=options["room"]).first()
        if room is None:
            raise CommandError(f"no room {options['room']!r}")
        at = None
        if options["at"] is not None:
            try:
                at = parse_datetime(options["at"])
            except ValueError:
                at = None
            if at is None:
                raise CommandError(
                    f"--at {options['at']!r} is not an ISO 8601 instant (e.g. 2026-11-25T10:30:00Z)"
                )
            if is_naive(at):
                at = make_aware(at, UTC)
        data = transcript.build(room, at)
        if options["format"] == "md":
            self.stdout.write(transcript.render_markdown(data), ending="")
        else:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
