"""`manage.py run_code`: files through the sandbox, N at a time, one JSON object each in order."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import question

KEYS = {"exit_code", "stdout", "stderr", "timed_out", "truncated", "duration_ms"}


def run_code(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("run_code", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_file_gives_one_json_object_in_the_order_given(tmp_path):
    files = []
    # The first is the slowest: with 3 at a time it finishes last, and is still printed first.
    for name, code in [
        ("slow.py", "import time; time.sleep(1.5); print('slow')"),
        ("fast.py", "print('fast')"),
        ("fails.py", "import sys; print('bad', file=sys.stderr); sys.exit(3)"),
    ]:
        (tmp_path / name).write_text(code)
        files.append(str(tmp_path / name))
    results = run_code("--jobs", "3", *files)
    assert [(r["stdout"], r["stderr"], r["exit_code"]) for r in results] == [
        ("slow\n", "", 0),
        ("fast\n", "", 0),
        ("", "bad\n", 3),
    ]
    for result in results:
        assert set(result) >= KEYS and result["oom"] is False and result["timed_out"] is False
        assert result["duration_ms"] > 0


@pytest.mark.django_db
def test_a_questions_tests_run_against_a_file(tmp_path):
    question(
        slug="doubling",
        starter_code="",
        visible_tests=[{"name": "two", "code": "assert double(2) == 4"}],
        hidden_tests=[{"name": "three", "code": "assert double(3) == 6"},
                      {"name": "zero", "code": "assert double(0) == 0"}],
    )  # fmt: skip
    (tmp_path / "answer.py").write_text("def double(n):\n    return n + n if n else 1\n")
    (hidden,) = run_code("--question", "doubling", "--tests", "hidden", str(tmp_path / "answer.py"))
    assert hidden["tests"]["passed"] == 1 and hidden["tests"]["failed"] == 1
    assert [t["name"] for t in hidden["tests"]["results"]] == ["three", "zero"]
    assert "assert 1 == 0" in hidden["tests"]["results"][1]["message"]
    (visible,) = run_code("--question", "doubling", str(tmp_path / "answer.py"))
    assert visible["tests"] == {
        "passed": 1, "failed": 0, "results": [{"name": "two", "ok": True, "message": ""}]
    }  # fmt: skip


@pytest.mark.django_db
def test_a_multi_step_questions_tests_add_up_step_by_step(tmp_path):
    question(
        slug="growing",
        starter_code="",
        visible_tests=[{"name": "two", "code": "assert double(2) == 4"}],
        hidden_tests=[{"name": "zero", "code": "assert double(0) == 0"}],
        steps=[{"title": "Triple", "prompt": "Add triple(n).", "solution": "-",
                "hidden_tests": [{"name": "triple", "code": "assert triple(2) == 6"}]}],
    )  # fmt: skip
    (tmp_path / "answer.py").write_text("def double(n):\n    return 2 * n\n")
    answer = str(tmp_path / "answer.py")
    (first,) = run_code("--question", "growing", "--tests", "hidden", answer)
    assert first["tests"]["passed"] == 1 and first["tests"]["failed"] == 0
    (second,) = run_code("--question", "growing", "--tests", "hidden", "--step", "2", answer)
    assert [(t["name"], t["ok"]) for t in second["tests"]["results"]] == [
        ("zero", True),
        ("triple", False),
    ]
    with pytest.raises(CommandError, match="question growing has steps 1 to 2"):
        run_code("--question", "growing", "--step", "3", answer)


@pytest.mark.django_db
def test_sql_files_run_in_the_sandbox_database(tmp_path):
    question(
        slug="sql-top",
        language="sql",
        setup_sql="CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2), (3);",
        visible_tests=[{"name": "max", "expected": [[3]]}],
        hidden_tests=[{"name": "max again", "reference": "SELECT max(n) FROM t"}],
    )
    (tmp_path / "top.sql").write_text("SELECT n FROM t ORDER BY n DESC LIMIT 1;")
    (tmp_path / "plain.sql").write_text("SELECT 41 + 1 AS answer;")
    (plain,) = run_code(str(tmp_path / "plain.sql"))
    assert plain["table"]["rows"] == [["42"]] and plain["exit_code"] == 0
    (tested,) = run_code("--question", "sql-top", "--tests", "hidden", str(tmp_path / "top.sql"))
    assert tested["tests"]["passed"] == 1


def test_bad_input_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "ok.py").write_text("open('/sandbox/x', 'w')")
    with pytest.raises(CommandError, match="missing.py: cannot be read"):
        run_code(str(tmp_path / "ok.py"), str(tmp_path / "missing.py"))
    with pytest.raises(CommandError, match="--tests and --step need --question"):
        run_code("--tests", "hidden", str(tmp_path / "ok.py"))
    with pytest.raises(CommandError, match="--jobs must be at least 1"):
        run_code("--jobs", "0", str(tmp_path / "ok.py"))
