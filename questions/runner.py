"""Runs a coding question's tests against a piece of code, each test in a fresh process.

A test is `{"name", "code"}`: a Python snippet run after the code under test, in the same
module namespace; it passes when it finishes without an exception within the timeout.
"""

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

TIMEOUT_S = 20.0
# Separate compile units, so a traceback says whether the code or the test broke.
DRIVER = """
import json, sys
source = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
exec(compile(source["code"], "<code>", "exec"), namespace)
exec(compile(source["test"], "<test>", "exec"), namespace)
"""


@dataclass
class TestResult:
    name: str
    passed: bool
    output: str


def run_test(code: str, test: dict[str, Any], timeout: float = TIMEOUT_S) -> TestResult:
    """One test in its own isolated interpreter, in an empty working directory."""
    with tempfile.TemporaryDirectory(prefix="question-test-") as workdir:
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-c", DRIVER],
                input=json.dumps({"code": code, "test": test["code"]}),
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=workdir,
                env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"},
            )
        except subprocess.TimeoutExpired:
            return TestResult(test["name"], False, f"timed out after {timeout:g} s")
    return TestResult(test["name"], done.returncode == 0, (done.stdout + done.stderr).strip())


def run_tests(
    code: str, tests: list[dict[str, Any]], timeout: float = TIMEOUT_S
) -> list[TestResult]:
    """Every test against `code`, a few at a time, in the order given."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda test: run_test(code, test, timeout), tests))
