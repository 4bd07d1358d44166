"""Every runnable Python question ships working: its reference solution passes its own tests.

And its tests are worth something: the starter code and every known-wrong solution of the
question fail at least one hidden test. All run in the code sandbox, as a candidate's code does.
"""

import asyncio
from pathlib import Path

import pytest
import yaml

from questions.services import BANK_DIR
from runner.sandbox import Limits, RunResult, run_python_tests


def coding_questions() -> list[dict]:
    found = []
    for path in sorted(Path(BANK_DIR).glob("*.yaml")):
        for question in yaml.safe_load(path.read_text()).get("questions", []):
            tests = question.get("visible_tests") or question.get("hidden_tests")
            if tests and question.get("language") == "python":
                found.append(question)
    return found


QUESTIONS = coding_questions()


def failures(result: RunResult) -> list[str]:
    assert result.tests is not None
    return [f"{t.name}: {t.message[-600:]}" for t in result.tests.results if not t.ok]


def test_there_are_at_least_eight_runnable_coding_questions():
    assert len(QUESTIONS) >= 8
    for question in QUESTIONS:
        assert question["visible_tests"] and question["hidden_tests"], question["slug"]
        assert question["starter_code"].strip() and question["solution"].strip()


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
async def test_the_reference_solution_passes_every_test(question):
    tests = question["visible_tests"] + question["hidden_tests"]
    result = await run_python_tests(question["solution"], tests)
    assert failures(result) == []
    assert result.tests.passed == len(tests)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
async def test_the_starter_code_fails_a_hidden_test(question):
    result = await run_python_tests(question["starter_code"], question["hidden_tests"])
    assert result.tests.failed >= 1


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
async def test_every_wrong_solution_fails_a_hidden_test(question):
    """A wrong solution is plausible (it runs and passes some test) and a hidden test fails it."""
    wrong = question.get("wrong_solutions", [])
    assert wrong, "a runnable question lists the wrong answers its tests must catch"
    tests = question["visible_tests"] + question["hidden_tests"]
    results = await run_all([w["code"] for w in wrong], tests)
    assert verdicts(wrong, results, question) == {w["name"]: "caught" for w in wrong}


def verdicts(wrong: list[dict], results: list[RunResult], question: dict) -> dict[str, str]:
    hidden = {test["name"] for test in question["hidden_tests"]}
    found = {}
    for solution, result in zip(wrong, results, strict=True):
        assert result.tests is not None, result.stderr
        failed = {t.name for t in result.tests.results if not t.ok}
        if result.tests.passed == 0:
            found[solution["name"]] = "passes nothing: broken, not wrong"
        elif not failed & hidden:
            found[solution["name"]] = "passes every hidden test"
        else:
            found[solution["name"]] = "caught"
    return found


STEPPED = [question for question in QUESTIONS if question.get("steps")]


def test_there_are_debugging_questions_and_multi_step_exercises():
    debugging = [q for q in QUESTIONS if "debugging" in q["tags"]]
    assert len(debugging) >= 4
    # A debugging question gives working-looking code with a bug, not an empty stub.
    assert all("NotImplementedError" not in q["starter_code"] for q in debugging)
    assert len(STEPPED) >= 2 and all("multi-step" in q["tags"] for q in STEPPED)


@pytest.mark.parametrize("question", STEPPED, ids=lambda q: q["slug"])
async def test_each_step_adds_a_requirement_that_its_solution_meets(question):
    """Step n's solution passes every test up to step n; step n-1's fails one of step n's."""
    tests = question["visible_tests"] + question["hidden_tests"]
    checks: list[tuple[str, list[dict]]] = []
    previous = question["solution"]
    for step in question["steps"]:
        tests = tests + step.get("visible_tests", []) + step["hidden_tests"]
        checks += [(step["solution"], tests), (previous, step["hidden_tests"])]
        previous = step["solution"]
    gate = asyncio.Semaphore(3)

    async def run(code: str, tests: list[dict]) -> RunResult:
        async with gate:
            return await run_python_tests(code, tests)

    results = await asyncio.gather(*(run(code, tests) for code, tests in checks))
    for n, step in enumerate(question["steps"]):
        meets, before = results[2 * n], results[2 * n + 1]
        assert failures(meets) == [], step["title"]
        assert before.tests.failed >= 1, f"{step['title']}: the step before already passes"


async def run_all(codes: list[str], tests: list[dict], at_once: int = 3) -> list[RunResult]:
    """Each code against the tests, a few sandboxes at a time, results in the codes' order."""
    gate = asyncio.Semaphore(at_once)

    async def one(code: str) -> RunResult:
        async with gate:
            return await run_python_tests(code, tests)

    return list(await asyncio.gather(*(one(code) for code in codes)))


async def test_a_failing_or_endless_test_is_reported_as_failed():
    code = "def double(n):\n    return n * 2\n"
    result = await run_python_tests(
        code,
        [
            {"name": "right", "code": "assert double(2) == 4"},
            {"name": "wrong", "code": "assert double(2) == 5, 'not five'"},
            {"name": "endless", "code": "while True:\n    pass"},
        ],
        Limits(wall_s=1, cpu_s=5),
    )
    assert [(r.name, r.ok) for r in result.tests.results] == [
        ("right", True),
        ("wrong", False),
        ("endless", False),
    ]
    assert "not five" in result.tests.results[1].message
    assert "timed out" in result.tests.results[2].message
