"""Every runnable coding question ships working: its reference solution passes its own tests.

And its tests are worth something: the starter code fails at least one hidden test.
"""

from pathlib import Path

import pytest
import yaml

from questions.runner import run_tests
from questions.services import BANK_DIR


def coding_questions() -> list[dict]:
    found = []
    for path in sorted(Path(BANK_DIR).glob("*.yaml")):
        for question in yaml.safe_load(path.read_text()).get("questions", []):
            if question.get("visible_tests") or question.get("hidden_tests"):
                found.append(question)
    return found


QUESTIONS = coding_questions()


def failures(results) -> list[str]:
    return [f"{r.name}: {r.output[-600:]}" for r in results if not r.passed]


def test_there_are_at_least_eight_runnable_coding_questions():
    assert len(QUESTIONS) >= 8
    for question in QUESTIONS:
        assert question["visible_tests"] and question["hidden_tests"], question["slug"]
        assert question["starter_code"].strip() and question["solution"].strip()


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
def test_the_reference_solution_passes_every_test(question):
    results = run_tests(question["solution"], question["visible_tests"] + question["hidden_tests"])
    assert failures(results) == []


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["slug"])
def test_the_starter_code_fails_a_hidden_test(question):
    results = run_tests(question["starter_code"], question["hidden_tests"])
    assert any(not result.passed for result in results)


def test_a_failing_or_endless_test_is_reported_as_failed():
    code = "def double(n):\n    return n * 2\n"
    results = run_tests(
        code,
        [
            {"name": "right", "code": "assert double(2) == 4"},
            {"name": "wrong", "code": "assert double(2) == 5, 'not five'"},
            {"name": "endless", "code": "while True:\n    pass"},
        ],
        timeout=2,
    )
    assert [(r.name, r.passed) for r in results] == [
        ("right", True),
        ("wrong", False),
        ("endless", False),
    ]
    assert "not five" in results[1].output
    assert "timed out" in results[2].output
