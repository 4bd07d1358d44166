"""One run of a room's code, wherever it executes: what it is (`Job`), how it is run
(`execute`), and whom it tells (`Reporter`).

The runner knows nothing of rooms: whoever submits jobs names a reporter class in
settings.RUNNER_REPORTER, and `execute` calls it when the run starts, as output arrives and
when it ends. The same `execute` runs in a server process's own pool and in a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from runner import sandbox
from runner.results import RunResult, SandboxUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    run: str  # the run's id, unique
    lane: str  # runs of one lane (a room) go one at a time, lanes share fairly
    language: str  # python | sql
    code: str
    tests: list[dict[str, Any]] | None = None  # None: run the code as a program
    setup_sql: str = ""
    explain: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # the submitter's, handed back as is

    def encode(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def decode(cls, text: str | bytes) -> Job:
        data = json.loads(text)
        return cls(**data)


@dataclass
class Ending:
    """How a run ended: its result, or why it has none (stopped, failed)."""

    result: RunResult
    stopped: bool = False  # somebody pressed Stop
    failure: str = ""  # the run could not complete: the sandbox is unavailable, a worker died


class Reporter(Protocol):
    async def started(self, job: Job) -> bool:
        """The run is about to start; False means it must not (it was stopped meanwhile)."""

    async def output(self, job: Job, stream: str, data: str) -> None:
        """Output as it is printed (already capped)."""

    async def finished(self, job: Job, ending: Ending) -> None:
        """The run is over, whichever way."""


@cache
def _reporter_class() -> Any:
    return import_string(settings.RUNNER_REPORTER)


def reporter() -> Reporter:
    reporter: Reporter = _reporter_class()()
    return reporter


async def execute(job: Job, report: Reporter | None = None) -> Ending | None:
    """Run `job` in the sandbox, telling `report` as it goes. Cancelling the task stops the
    run (reported as stopped). None when the reporter said not to start."""
    report = report or reporter()
    if not await report.started(job):
        return None
    printed = {"stdout": [], "stderr": []}  # type: dict[str, list[str]]
    began = time.perf_counter()

    async def on_output(stream: str, data: str) -> None:
        printed[stream].append(data)
        await report.output(job, stream, data)

    def so_far(**marks: Any) -> RunResult:
        return RunResult(
            exit_code=None,
            stdout="".join(printed["stdout"]),
            stderr="".join(printed["stderr"]),
            duration_ms=(time.perf_counter() - began) * 1000,
            **marks,
        )

    try:
        result = await _run(job, on_output)
        if not any(printed.values()):  # SQL: a NOTICE, a message; shown once it is over
            for stream in ("stdout", "stderr"):
                if text := getattr(result, stream):
                    await report.output(job, stream, text)
        ending = Ending(result)
    except asyncio.CancelledError:
        ending = Ending(so_far(), stopped=True)
    except SandboxUnavailable as error:
        ending = Ending(so_far(), failure=str(error))
    except Exception as error:  # a bug or a broken sandbox database: the room hears of it
        log.exception("run %s failed", job.run)
        ending = Ending(so_far(), failure=f"the run failed: {error}")
    # However the run ended, the room learns it (shielded: a second cancel cannot lose it).
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.shield(_finish(report, job, ending))
    return ending


async def _finish(report: Reporter, job: Job, ending: Ending) -> None:
    try:
        await report.finished(job, ending)
    except Exception:
        log.exception("the end of run %s was not recorded", job.run)


async def _run(job: Job, on_output: sandbox.OnOutput) -> RunResult:
    if job.language == "python":
        if job.tests is not None:
            return await sandbox.run_python_tests(job.code, job.tests, on_output=on_output)
        return await sandbox.run_python(job.code, on_output=on_output)
    if job.language == "sql":
        if job.tests is not None:
            return await sandbox.run_sql_tests(job.code, job.setup_sql, job.tests)
        return await sandbox.run_sql(job.code, job.setup_sql, explain=job.explain)
    raise SandboxUnavailable(f"no sandbox for {job.language}")
