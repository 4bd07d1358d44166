"""Running candidate code: the one interface the rest of the server uses.

Python runs in a bubblewrap sandbox (runner/bwrap.py), SQL in the sandbox PostgreSQL
database (runner/sql.py). Without bubblewrap nothing runs: `sandbox_available()` says why,
and the run functions raise SandboxUnavailable. See runner/README.md.
"""

from runner.bwrap import sandbox_available
from runner.python import run_python, run_python_tests
from runner.results import (
    Limits,
    OnOutput,
    RunResult,
    SandboxUnavailable,
    TestReport,
    TestResult,
)
from runner.sql import run_sql, run_sql_tests

__all__ = [
    "Limits",
    "OnOutput",
    "RunResult",
    "SandboxUnavailable",
    "TestReport",
    "TestResult",
    "run_python",
    "run_python_tests",
    "run_sql",
    "run_sql_tests",
    "sandbox_available",
]
