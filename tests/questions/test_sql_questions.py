"""Every runnable SQL question ships working: its reference solution passes its own tests in
the sandbox database, and its starter code and every known-wrong query of the question fail at
least one hidden test."""

import asyncio
from pathlib import Path

import pytest
import yaml

from questions.services import BANK_DIR
from runner.sandbox import RunResult, run_sql, run_sql_tests


def sql_questions() -> list[dict]:
    found = []
    for path in sorted(Path(BANK_DIR).glob("*.yaml")):
        for question in yaml.safe_load(path.read_text()).get("questions", []):
            if question.get("language") == "sql" and question.get("hidden_tests"):
                found.append(question)
    return found


QUESTIONS = sql_questions()


def failures(result: RunResult) -> list[str]:
    assert result.tests is not None
    return [f"{t.name}: {t.message}" for t in result.tests.results if not t.ok]


def test_there_are_at_least_eight_runnable_sql_questions():
    assert len(QUESTIONS) >= 8
    for question in QUESTIONS:
        assert question["visible_tests"] and question["setup_sql"].strip(), question["slug"]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
async def test_the_reference_solution_passes_every_test(question):
    tests = question["visible_tests"] + question["hidden_tests"]
    result = await run_sql_tests(question["solution"], question["setup_sql"], tests)
    assert failures(result) == []
    assert result.tests.passed == len(tests)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
async def test_the_starter_code_fails_a_hidden_test(question):
    result = await run_sql_tests(
        question["starter_code"], question["setup_sql"], question["hidden_tests"]
    )
    assert result.tests.failed >= 1
    # The set-up itself runs: the starter shows the schema, it does not break it.
    assert (await run_sql("SELECT 1", question["setup_sql"])).exit_code == 0


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
async def test_every_wrong_query_fails_a_hidden_test(question):
    """A wrong query is plausible (it runs and passes some test) and a hidden test fails it."""
    wrong = question.get("wrong_solutions", [])
    assert wrong, "a runnable question lists the wrong answers its tests must catch"
    tests = question["visible_tests"] + question["hidden_tests"]
    hidden = {test["name"] for test in question["hidden_tests"]}
    gate = asyncio.Semaphore(3)

    async def verdict(query: str) -> str:
        async with gate:
            result = await run_sql_tests(query, question["setup_sql"], tests)
        failed = {t.name for t in result.tests.results if not t.ok}
        if result.tests.passed == 0:
            return "passes nothing: broken, not wrong"
        return "caught" if failed & hidden else "passes every hidden test"

    found = await asyncio.gather(*(verdict(w["code"]) for w in wrong))
    names = [w["name"] for w in wrong]
    assert dict(zip(names, found, strict=True)) == dict.fromkeys(names, "caught")
