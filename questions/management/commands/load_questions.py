"""load_questions: load bank files (all of questions/bank/ by default), keyed by slug."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from questions import services


class Command(BaseCommand):
    help = "Load the question bank from YAML or JSON files (default: all of questions/bank/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="bank files to load")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace questions and templates edited since they were last loaded",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = services.load_files(options["files"] or None, options["overwrite"])
        except services.BankError as exc:
            raise CommandError("the question bank has errors:\n" + str(exc)) from exc
        if report.kept:
            self.stderr.write(
                f"Kept {len(report.kept)} questions or templates edited since the last load "
                f"(--overwrite replaces them): {', '.join(report.kept)}"
            )
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Loaded {report.questions} questions, {report.templates} templates and "
                f"{report.categories} categories from {len(report.files)} files."
            )
