"""`manage.py run_code [--language python|sql] [--jobs N] [--question SLUG --tests visible|hidden
[--step N]] [--explain] FILE...`: each file through the very sandbox and limits of the room's
Run button, N at a time, one JSON object per file on stdout, in the order given."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from questions.models import Question
from questions.services import step_tests
from runner import sandbox
from runner.results import Limits, RunResult


class Command(BaseCommand):
    help = "Run files in the code sandbox and print one JSON result per file."
    # The server's checks (URLs, API schema...) are not this command's business: 1 s saved.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--language", choices=["python", "sql"])
        parser.add_argument("--jobs", type=int, default=1, help="runs at a time (default 1)")
        parser.add_argument("--question", metavar="SLUG", help="run this question's tests")
        parser.add_argument("--tests", choices=["visible", "hidden"])
        parser.add_argument(
            "--step", type=int, help="multi-step questions: the tests up to step N (1 = the first)"
        )
        parser.add_argument("--explain", action="store_true", help="SQL: the plan, analyzed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1")
        if (options["tests"] or options["step"]) and not options["question"]:
            raise CommandError("--tests and --step need --question SLUG")
        question = self._question(options["question"]) if options["question"] else None
        language = options["language"]
        if question and not language:
            language = question.language
            if language not in ("python", "sql"):
                raise CommandError(f"question {question.slug} is in {language}, not Python or SQL")
        sources = []
        for name in options["files"]:
            try:
                sources.append(Path(name).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{name}: cannot be read: {exc}") from exc
        language = language or ("sql" if options["files"][0].endswith(".sql") else "python")
        tests = None
        if question:
            try:
                tests = step_tests(question, options["step"] or 1, options["tests"] or "visible")
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if not tests:
                raise CommandError(f"question {question.slug} has no {options['tests']} tests")
        if language == "python":
            available, why = sandbox.sandbox_available()
            if not available:
                raise CommandError(why)
        try:
            asyncio.run(
                self._run_all(
                    sources, language, question, tests, options["jobs"], options["explain"]
                )
            )
        except sandbox.SandboxUnavailable as exc:
            raise CommandError(str(exc)) from exc

    def _question(self, slug: str) -> Question:
        try:
            return Question.objects.get(slug=slug)
        except Question.DoesNotExist:
            raise CommandError(
                f"no question {slug!r} (load the bank: manage.py load_questions)"
            ) from None

    async def _run_all(
        self,
        sources: list[str],
        language: str,
        question: Question | None,
        tests: list[dict[str, Any]] | None,
        jobs: int,
        explain: bool,
    ) -> None:
        limits = Limits.from_settings()
        setup_sql = question.setup_sql if question else ""
        slots = asyncio.Semaphore(jobs)

        async def one(source: str) -> RunResult:
            async with slots:
                if language == "python":
                    if tests is not None:
                        return await sandbox.run_python_tests(source, tests, limits)
                    return await sandbox.run_python(source, limits)
                if tests is not None:
                    return await sandbox.run_sql_tests(source, setup_sql, tests, limits)
                return await sandbox.run_sql(source, setup_sql, limits, explain=explain)

        runs = [asyncio.create_task(one(source)) for source in sources]
        try:
            for run in runs:  # in the order given, each as soon as it and those before are done
                self.stdout.write(json.dumps((await run).as_dict()))
                self.stdout.flush()
        finally:
            for run in runs:
                run.cancel()
