"""dump_questions: print the whole bank as JSON, interviewer-only fields included."""

import json
from typing import Any

from django.core.management.base import BaseCommand

from questions import services


class Command(BaseCommand):
    help = "Print the question bank and templates as JSON (load_questions reads it back)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(services.dump(), indent=2, ensure_ascii=False))
