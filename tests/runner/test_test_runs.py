"""A question's tests against a candidate's code: per-test verdicts and messages that help,
and no test leaking state into the next. Python and SQL."""

from runner.sandbox import Limits, run_python_tests, run_sql_tests

LIMITS = Limits(wall_s=2, cpu_s=2)
CODE = "def double(n):\n    return n * 2\n"


def verdicts(result) -> dict[str, tuple[bool, str]]:
    return {test.name: (test.ok, test.message) for test in result.tests.results}


async def test_python_messages_show_the_assertion_expected_and_got_and_the_line():
    result = await run_python_tests(
        CODE,
        [
            {"name": "passes", "code": "assert double(2) == 4"},
            {"name": "plain", "code": "x = 2\nassert double(x) == 5"},
            {"name": "with text", "code": "assert double(1) == 3, 'one doubled'"},
            {"name": "lists", "code": "assert [double(1), double(2)] == [2, 5]"},
            {"name": "error", "code": "double(None)"},
            {"name": "exits", "code": "raise SystemExit(0)"},
            {"name": "syntax", "code": "assert double(2) =="},
        ],
        LIMITS,
    )
    seen = verdicts(result)
    assert seen["passes"] == (True, "")
    assert seen["plain"] == (
        False,
        "test line 2: assert double(x) == 5\nAssertionError: assert 4 == 5\n"
        " +  where 4 = double(2)",
    )
    assert seen["with text"][1].splitlines()[1:3] == [
        "AssertionError: one doubled",
        "assert 2 == 3",
    ]
    assert "At index 1 diff: 4 != 5" in seen["lists"][1]
    assert seen["error"][1].splitlines() == [
        "test line 1: double(None)",
        "main.py line 2, in double: return n * 2",
        "TypeError: unsupported operand type(s) for *: 'NoneType' and 'int'",
    ]
    assert "exited" in seen["exits"][1] and not seen["exits"][0]
    assert "SyntaxError" in seen["syntax"][1]
    assert (result.tests.passed, result.tests.failed) == (1, 6)


async def test_python_tests_do_not_share_state_files_or_processes():
    code = "import os\nregistry = []\n"
    tests = [
        {
            "name": "leaves state behind",
            "code": (
                "import builtins, subprocess\nregistry.append(1)\nbuiltins.LEAK = 1\n"
                "open('/sandbox/leak', 'w').write('x')\n"
                "subprocess.Popen(['/bin/sh', '-c', '(setsid sleep 300 &)'])\n"
                "import time; time.sleep(0.3)"
            ),
        },
        {
            "name": "sees none of it",
            "code": (
                "import builtins, os\nassert registry == []\nassert not hasattr(builtins, 'LEAK')\n"
                "assert not os.path.exists('/sandbox/leak'), os.listdir('/sandbox')\n"
                "sleepers = [p for p in os.listdir('/proc') if p.isdigit() and"
                " b'sleep' in open(f'/proc/{p}/cmdline', 'rb').read()]\n"
                "assert sleepers == []"
            ),
        },
    ]
    result = await run_python_tests(code, tests, LIMITS)
    assert verdicts(result) == {"leaves state behind": (True, ""), "sees none of it": (True, "")}


async def test_an_endless_test_fails_alone_and_the_next_one_runs():
    result = await run_python_tests(
        CODE,
        [
            {"name": "endless", "code": "while True:\n    pass"},
            {"name": "next", "code": "print('ran'); assert double(3) == 6"},
        ],
        Limits(wall_s=1, cpu_s=5),
    )
    assert verdicts(result) == {"endless": (False, "timed out after 1 s"), "next": (True, "")}
    assert result.timed_out and result.stdout == "ran\n"


SETUP = """
CREATE TABLE scores (player text, points int);
INSERT INTO scores VALUES ('ann', 10), ('bob', 30), ('cy', 20);
"""


async def test_sql_results_are_compared_as_sets_or_in_order_as_the_test_says():
    tests = [
        {"name": "set", "expected": [["cy"], ["ann"], ["bob"]]},
        {"name": "ordered", "expected": [["bob"], ["cy"], ["ann"]], "ordered": True},
        {"name": "reference", "reference": "SELECT player FROM scores"},
        {
            "name": "own data",
            "setup": "INSERT INTO scores VALUES ('dee', 5)",
            "reference": "SELECT player FROM scores ORDER BY points DESC",
            "ordered": True,
        },
        {"name": "columns", "columns": ["name"], "expected": [["ann"], ["bob"], ["cy"]]},
        {"name": "wrong rows", "expected": [["ann"], ["bob"], ["zed"]]},
    ]
    result = await run_sql_tests(
        "SELECT player FROM scores ORDER BY points DESC", SETUP, tests, LIMITS
    )
    assert verdicts(result) == {
        "set": (True, ""),
        "ordered": (True, ""),
        "reference": (True, ""),
        "own data": (True, ""),
        "columns": (False, "expected the columns ['name'], got ['player']"),
        "wrong rows": (False, "expected 3 rows, got 3; missing: (zed); not expected: (cy)"),
    }
    unordered = await run_sql_tests("SELECT player FROM scores", SETUP, tests[1:2], LIMITS)
    assert verdicts(unordered)["ordered"][1].startswith("the right rows in the wrong order")


async def test_sql_values_compare_as_postgresql_shows_them():
    result = await run_sql_tests(
        "SELECT 2.50::numeric, true, NULL::int, DATE '2024-01-05', 'x'",
        "",
        [{"name": "values", "expected": [[2.5, True, None, "2024-01-05", "x"]]}],
        LIMITS,
    )
    assert verdicts(result) == {"values": (True, "")}


async def test_sql_test_errors_and_timeouts_are_the_tests_message():
    result = await run_sql_tests(
        "SELECT pointz FROM scores",
        SETUP,
        [{"name": "error", "expected": [["1"]]}],
        LIMITS,
    )
    assert verdicts(result)["error"][1].startswith('ERROR:  column "pointz" does not exist')
    slow = await run_sql_tests(
        "SELECT pg_sleep(10)", SETUP, [{"name": "slow", "expected": [[""]]}], Limits(wall_s=1)
    )
    assert verdicts(slow) == {"slow": (False, "timed out after 1 s")} and slow.timed_out
