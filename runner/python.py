"""Python in the sandbox: a program (`run_python`) or a question's tests (`run_python_tests`)."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

from django.conf import settings

from runner import bwrap
from runner.results import Limits, OnOutput, RunResult, TestReport, TestResult

MAIN = f"{bwrap.HOME}/main.py"
DRIVER = "/opt/runner/driver.py"
SPEC = "/opt/runner/spec.json"
DRIVER_SOURCE = Path(__file__).with_name("pydriver.py").read_bytes()

# What a process in the run printed when a limit broke it (the last lines of stderr).
SIGNS = [
    ("memory", re.compile(r"MemoryError|\[Errno 12\] Cannot allocate memory")),
    ("processes", re.compile(r"\[Errno 11\] Resource temporarily unavailable")),
    ("file_size", re.compile(r"\[Errno 27\] File too large")),
    ("disk", re.compile(r"\[Errno 28\] No space left on device")),
]


async def run_python(
    code: str, limits: Limits | None = None, on_output: OnOutput | None = None
) -> RunResult:
    """`code` as a program, `python3 main.py` in a fresh sandbox."""
    limits = limits or Limits.from_settings()
    outcome = await bwrap.run(
        [settings.SANDBOX_PYTHON, "-u", "-B", MAIN],
        limits=limits,
        wall_s=limits.wall_s,
        files={MAIN: (code.encode(), False)},
        on_output=on_output,
    )
    return _result(outcome, limits)


async def run_python_tests(
    code: str,
    tests: list[dict[str, Any]],
    limits: Limits | None = None,
    on_output: OnOutput | None = None,
) -> RunResult:
    """Each test (`{name, code}`) against `code`, in one sandbox, a fresh process each.

    Every test has `limits.wall_s` of its own; a test that runs out of it fails and the
    next one runs. What the tests print is the run's output.
    """
    limits = limits or Limits.from_settings()
    spec = {
        "code": code,
        "tests": [{"name": test["name"], "code": test["code"]} for test in tests],
        "timeout": limits.wall_s,
    }
    outcome = await bwrap.run(
        [settings.SANDBOX_PYTHON, "-u", "-B", DRIVER, SPEC],
        limits=limits,
        # Each test's own clock is kept by the driver; this one stops a run gone wrong.
        wall_s=limits.wall_s * (len(tests) + 1) + 1,
        files={DRIVER: (DRIVER_SOURCE, True), SPEC: (json.dumps(spec).encode(), True)},
        on_output=on_output,
        report=True,
    )
    result = _result(outcome, limits)
    result.tests = _report(outcome, tests)
    messages = "\n".join(test.message for test in result.tests.results)
    if any(test.message.startswith("timed out") for test in result.tests.results):
        result.timed_out = True
        result.limit = result.limit or "wall"
    if not result.oom and SIGNS[0][1].search(messages):
        result.oom = True
        result.limit = result.limit or "memory"
    return result


def _report(outcome: bwrap.Outcome, tests: list[dict[str, Any]]) -> TestReport:
    verdicts: dict[str, dict[str, Any]] = {}
    for line in outcome.report.decode("utf-8", "replace").splitlines():
        try:
            verdict = json.loads(line)
            verdicts.setdefault(str(verdict["name"]), verdict)
        except (ValueError, KeyError, TypeError):
            continue
    why = {
        "wall": "not run: the run ran out of time",
        "output": "not run: the run printed too much",
    }.get(outcome.stopped or "", "not run: the test runner stopped")
    results = []
    for test in tests:
        verdict = verdicts.get(test["name"])
        if verdict is None:
            results.append(TestResult(test["name"], False, why))
        else:
            results.append(
                TestResult(test["name"], verdict.get("ok") is True, str(verdict.get("message")))
            )
    return TestReport(results)


def _result(outcome: bwrap.Outcome, limits: Limits) -> RunResult:
    result = RunResult(
        exit_code=outcome.exit_code,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        truncated=outcome.truncated,
        duration_ms=outcome.duration_ms,
    )
    tail = outcome.stderr[-2000:]
    signs = [limit for limit, pattern in SIGNS if pattern.search(tail)]
    code = outcome.exit_code
    if code == 128 + signal.SIGXCPU or (
        code == 128 + signal.SIGKILL and outcome.duration_ms >= limits.cpu_s * 1000
    ):
        signs.append("cpu")
    elif code == 128 + signal.SIGKILL:
        signs.insert(0, "memory")
    if code == 128 + signal.SIGXFSZ:
        signs.append("file_size")
    if outcome.stopped == "wall":
        signs.append("wall")
    if outcome.truncated:
        signs.insert(0, "output")
    result.limit = signs[0] if signs else None
    result.timed_out = "wall" in signs or "cpu" in signs
    result.oom = "memory" in signs
    return result
