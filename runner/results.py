"""What a run may use (`Limits`) and what it gives back (`RunResult`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings

MiB = 1024 * 1024

# (stream "stdout" | "stderr", text chunk): called as output arrives, already capped.
OnOutput = Callable[[str, str], Awaitable[None]]


class SandboxUnavailable(RuntimeError):
    """Code cannot be run safely here; the message says why. Nothing ran."""

    def __init__(self, why: str) -> None:
        super().__init__(f"sandbox unavailable: {why}")
        self.why = why


@dataclass(frozen=True)
class Limits:
    """What one run may use. `Limits.from_settings()` gives the server's defaults."""

    wall_s: float = 10.0  # wall clock of a run; for a test run, of each test
    cpu_s: int = 10  # CPU seconds, per process
    memory_bytes: int = 512 * MiB  # address space, per process
    output_bytes: int = 64 * 1024  # stdout + stderr kept and streamed; the run stops past it
    processes: int = 64  # processes and threads alive at once in the run
    file_size_bytes: int = 16 * MiB  # largest file the run may write
    open_files: int = 64  # open file descriptors, per process
    disk_bytes: int = 32 * MiB  # the run's scratch directory (memory-backed)
    sql_rows: int = 1000  # rows of a query result kept

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(**getattr(settings, "SANDBOX_LIMITS", {}))


@dataclass
class TestResult:
    name: str
    ok: bool
    message: str = ""


@dataclass
class TestReport:
    results: list[TestResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for result in self.results if result.ok)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "results": [asdict(result) for result in self.results],
        }


@dataclass
class RunResult:
    exit_code: int | None  # None when the run was stopped (a limit, or cancelled)
    stdout: str
    stderr: str
    timed_out: bool = False  # wall clock or CPU time ran out
    oom: bool = False  # ran out of memory
    truncated: bool = False  # output (or a query's rows) cut at the limit
    duration_ms: float = 0.0
    # The limit that stopped or broke the run, if one did: wall, cpu, memory, output,
    # processes, file_size, disk, rows.
    limit: str | None = None
    tests: TestReport | None = None
    # SQL: {"columns", "rows", "row_count", "truncated", "command"}, or {"plan"} for EXPLAIN.
    table: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "exit_code": self.exit_code,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "timed_out": self.timed_out,
            "truncated": self.truncated,
            "duration_ms": round(self.duration_ms, 1),
            "oom": self.oom,
            "limit": self.limit,
        }
        if self.tests is not None:
            data["tests"] = self.tests.as_dict()
        if self.table is not None:
            data["table"] = self.table
        return data
