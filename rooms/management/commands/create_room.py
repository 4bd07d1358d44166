"""create_room: make rooms and print their seat links, one JSON object per room per line."""

import json
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from rooms import actions
from rooms.models import Room


def seat_link(room_id: str, token: str) -> str:
    return f"{settings.PUBLIC_URL}/r/{room_id}/join/{token}"


def set_password_link(user: Any) -> str:
    """A one-time link to choose a password: it stops working once a password is set."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("set-password", args=[uid, default_token_generator.make_token(user)])
    return f"{settings.PUBLIC_URL}{path}"


class Command(BaseCommand):
    help = "Create interview rooms (and the interviewer's account if missing); print their links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interviewer", required=True, help="interviewer's username")
        parser.add_argument("--title", default="")
        parser.add_argument("--template", default=None, help="slug of an interview template")
        parser.add_argument(
            "--kind", default=None, choices=Room.Kind.values, help="default: the template's kind"
        )
        parser.add_argument("--count", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["interviewer"].strip()
        if not name:
            raise CommandError("--interviewer must not be empty")
        if options["count"] < 1:
            raise CommandError("--count must be at least 1")
        user, new = get_user_model().objects.get_or_create(username=name)
        if new:
            # The seat link is the way in until the interviewer sets a password.
            user.set_unusable_password()
            user.save()
        if not user.has_usable_password():
            # On stderr: stdout stays one JSON line per room.
            self.stderr.write(
                f"{name} has no password yet; to log in and see the dashboard, set one at "
                f"{set_password_link(user)} (the link works once)."
            )
        for _ in range(options["count"]):
            try:
                created = actions.create_room(
                    user, options["title"], options["template"], options["kind"]
                )
            except actions.RoomError as refused:
                raise CommandError(refused.message) from refused
            room_id = created.room.id
            line = {
                "room": room_id,
                "links": {role: seat_link(room_id, t) for role, t in created.tokens.items()},
                "tokens": created.tokens,
            }
            self.stdout.write(json.dumps(line))
