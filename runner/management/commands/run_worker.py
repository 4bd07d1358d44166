"""`manage.py run_worker [--concurrency N]`: a runner worker, separate from the web servers.
Takes the room's runs from the Redis Stream (settings.RUNNER_QUEUE = "redis") and runs them in
the sandbox, N at a time; SIGTERM lets the runs in hand finish first."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relay import relay
from runner.queue import Worker


class Command(BaseCommand):
    help = "Run the room's code runs from the Redis queue."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=settings.RUNNER_CONCURRENCY)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError("run_worker needs REDIS_URL (without it, servers run code alone)")
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1")
        asyncio.run(self._serve(options["concurrency"]))

    async def _serve(self, concurrency: int) -> None:
        worker = Worker(concurrency)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, worker.stopping.set)
        try:
            await worker.serve()
        finally:
            await relay().close()
