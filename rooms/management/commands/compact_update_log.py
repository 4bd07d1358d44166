"""compact_update_log: bound the editor's update log. Rooms that ended more than N days ago
keep their transcript and their code; their keystrokes are folded into checkpoints (one per
--every seconds of the interview, what the review's scrubber steps by) or, with --every 0,
into the final code alone. Live and recent rooms are never touched. Run it daily (cron)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from editor import documents
from rooms.models import Room


class Command(BaseCommand):
    help = "Fold the keystrokes of rooms ended more than --days ago into checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.UPDATE_LOG_RETENTION_DAYS,
            help="rooms ended more than this many days ago (default UPDATE_LOG_RETENTION_DAYS)",
        )
        parser.add_argument(
            "--every",
            type=int,
            default=10,
            help="seconds between two checkpoints kept (default 10; 0: the final code only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days, every = options["days"], options["every"]
        if days is None:
            raise CommandError("give --days N (or set UPDATE_LOG_RETENTION_DAYS)")
        if days < 1:
            raise CommandError(f"--days must be at least 1 (got {days}): live rooms stay whole")
        if every < 0:
            raise CommandError(f"--every must be 0 or more seconds (got {every})")
        cutoff = timezone.now() - timedelta(days=days)
        stretch = timedelta(seconds=every) if every else None
        rooms = Room.objects.filter(status=Room.Status.ENDED, ended_at__lt=cutoff)  # never live
        folded = dropped = kept = 0
        for room_id in rooms.values_list("id", flat=True).iterator():
            result = documents.fold_log(str(room_id), stretch, before=cutoff)
            if result is not None:
                folded += 1
                dropped += result.updates
                kept += result.checkpoints
        self.stdout.write(
            f"{folded} rooms folded: {dropped} updates dropped, {kept} checkpoints kept"
        )
