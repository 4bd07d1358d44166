"""The question bank's file format: the schema of every record, and the check of a whole
file before anything of it is loaded (questions.services loads what passes).

A bank file is YAML (or JSON, which is what `dump_questions` prints) with any of these keys:
`category` (one) or `categories` (a list), `questions` and `templates`; see questions/README.md.
"""

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from questions.models import Question

# libyaml's loader when it is there (several times faster), else the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
DIFFICULTIES = [choice.value for choice in Question.Difficulty]
TEMPLATE_KINDS = ["interview", "pair"]


class BankError(Exception):
    """A bank file that cannot be loaded; `errors` lists every problem as `file: field: why`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# --- the schema ------------------------------------------------------------------------


Check = Callable[[Any], str | None]  # returns why a value is wrong, or None


def is_str(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def is_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    return None if value.strip() else "must not be empty"


def slug(limit: int) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not SLUG.match(value):
            return "must be a slug (letters, digits, '-' and '_')"
        return None if len(value) <= limit else f"must be at most {limit} characters"

    return check


is_slug = slug(100)  # a question's slug, and references to one


def max_length(limit: int) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return "must be a non-empty string"
        return None if len(value) <= limit else f"must be at most {limit} characters"

    return check


def whole_number(low: int, high: int = 100_000) -> Check:
    def check(value: Any) -> str | None:
        # YAML reads `yes` as True, and bool is an int to Python: refuse it explicitly.
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        return None if low <= value <= high else f"must be from {low} to {high}"

    return check


positive_int = whole_number(1)


def one_of(choices: Sequence[str]) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


def list_of_strings(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "must be a list of strings"
    return None


@dataclass
class Field:
    check: Check
    required: bool = True
    default: Any = None


def record(fields: dict[str, Field]) -> Callable[[Any, str], list[str]]:
    """A check of a mapping: known keys only, required ones present, each value valid."""

    def check(value: Any, where: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: must be a mapping"]
        errors = [f"{where}.{key}: unknown field" for key in value if key not in fields]
        for key, spec in fields.items():
            if key not in value:
                if spec.required:
                    errors.append(f"{where}.{key}: is required")
                continue
            why = spec.check(value[key])
            if why:
                errors.append(f"{where}.{key}: {why}")
        return errors

    return check


CATEGORY = record(
    {
        "slug": Field(slug(50)),
        "name": Field(max_length(100)),
        "position": Field(whole_number(0), False, 0),
    }
)
RUBRIC_LEVEL = record(
    {"score": Field(positive_int), "label": Field(is_text), "description": Field(is_text)}
)
TEST_CASE = record({"name": Field(is_text), "code": Field(is_text)})
# A known-wrong answer to a runnable question (Python code, or a query for an SQL question):
# `why` names the mistake; the bank's tests check that it fails at least one hidden test.
WRONG_SOLUTION = record({"name": Field(is_text), "why": Field(is_text), "code": Field(is_text)})


def is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def result_rows(value: Any) -> str | None:
    """Rows of a result set: a list of equally long lists of plain values (null for NULL)."""
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        return "must be a list of rows, each a list of values"
    if len({len(row) for row in value}) > 1:
        return "rows must all have the same number of values"
    for row in value:
        for cell in row:
            if isinstance(cell, (list, dict)):
                return "values must be plain (text, numbers, dates, true/false or null)"
    return None


# An SQL question's test: the candidate's result set against `expected` rows or against the
# result of a `reference` query, after the question's set-up and the test's own `setup`.
SQL_TEST_CASE = record(
    {
        "name": Field(is_text),
        "setup": Field(is_str, False, ""),
        "expected": Field(result_rows, False),
        "reference": Field(is_text, False),
        "columns": Field(list_of_strings, False),
        "ordered": Field(is_bool, False, False),
    }
)
TEST_LANGUAGES = ("python", "sql")
# A multi-step exercise's next requirement, revealed by the interviewer: its tests add to the
# earlier steps' ones, and its solution passes them all.
STEP = record(
    {
        "title": Field(max_length(200)),
        "prompt": Field(is_text),
        "solution": Field(is_text),
        "visible_tests": Field(lambda v: None, False, []),
        "hidden_tests": Field(lambda v: None),
    }
)
TEMPLATE_ITEM = record({"question": Field(is_slug), "minutes": Field(positive_int)})


def list_of(item: Callable[[Any, str], list[str]]) -> Callable[[Any, str], list[str]]:
    def check(value: Any, where: str) -> list[str]:
        if not isinstance(value, list):
            return [f"{where}: must be a list"]
        return [error for i, entry in enumerate(value) for error in item(entry, f"{where}[{i}]")]

    return check


QUESTION_FIELDS = {
    "slug": Field(is_slug),
    "title": Field(max_length(200)),
    "prompt": Field(is_text),
    "category": Field(is_slug, required=False),
    "difficulty": Field(one_of(DIFFICULTIES)),
    "tags": Field(list_of_strings, False, []),
    "expected_minutes": Field(positive_int, False, 10),
    "language": Field(max_length(20), False, "text"),
    "starter_code": Field(is_str, False, ""),
    "guidance": Field(is_str, False, ""),
    "follow_ups": Field(list_of_strings, False, []),
    "red_flags": Field(list_of_strings, False, []),
    "hints": Field(list_of_strings, False, []),
    "solution": Field(is_str, False, ""),
    "wrong_solutions": Field(lambda v: None, False, []),
    # SQL questions: the schema and data every run starts from (shown to the candidate).
    "setup_sql": Field(is_str, False, ""),
    # Checked element by element below.
    "rubric": Field(lambda v: None, False, []),
    "visible_tests": Field(lambda v: None, False, []),
    "hidden_tests": Field(lambda v: None, False, []),
    "steps": Field(lambda v: None, False, []),
}
QUESTION = record(QUESTION_FIELDS)
TEMPLATE = record(
    {
        "slug": Field(slug(50)),
        "title": Field(max_length(200)),
        "description": Field(is_str, False, ""),
        "kind": Field(one_of(TEMPLATE_KINDS), False, "interview"),
        "items": Field(lambda v: None),
    }
)
FILE_KEYS = ("category", "categories", "questions", "templates")


# --- validation ------------------------------------------------------------------------


@dataclass
class BankFile:
    """A bank file that passed every check, ready to load."""

    path: str
    categories: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)


def read_file(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=SAFE_LOADER)


def _duplicates(entries: list[Any], where: str) -> list[str]:
    seen: dict[str, int] = {}
    errors = []
    for i, entry in enumerate(entries):
        slug = entry.get("slug") if isinstance(entry, dict) else None
        if not isinstance(slug, str):
            continue
        if slug in seen:
            errors.append(f"{where}[{i}].slug: duplicate of {where}[{seen[slug]}] ({slug!r})")
        else:
            seen[slug] = i
    return errors


def _check_question(question: dict[str, Any], where: str) -> list[str]:
    errors = list_of(RUBRIC_LEVEL)(question.get("rubric", []), f"{where}.rubric")
    language = question.get("language")
    test_case = SQL_TEST_CASE if language == "sql" else TEST_CASE
    for key in ("visible_tests", "hidden_tests"):
        errors += list_of(test_case)(question.get(key, []), f"{where}.{key}")
    errors += list_of(WRONG_SOLUTION)(
        question.get("wrong_solutions", []), f"{where}.wrong_solutions"
    )
    if question.get("wrong_solutions") and not question.get("hidden_tests"):
        errors.append(f"{where}.wrong_solutions: only a question with hidden tests can show one")
    steps = question.get("steps", [])
    errors += list_of(STEP)(steps, f"{where}.steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        for key in ("visible_tests", "hidden_tests"):
            if isinstance(step, dict):
                errors += list_of(TEST_CASE)(step.get(key, []), f"{where}.steps[{i}].{key}")
        if isinstance(step, dict) and not step.get("hidden_tests"):
            errors.append(f"{where}.steps[{i}].hidden_tests: must not be empty")
    if steps and (language != "python" or not question.get("hidden_tests")):
        errors.append(f"{where}.steps: only a runnable Python question has steps")
    if language == "sql":
        errors += _check_sql_tests(question, where)
    elif question.get("setup_sql"):
        errors.append(f"{where}.setup_sql: only an sql question has a set-up")
    if question.get("visible_tests") or question.get("hidden_tests"):
        # Tests are run against the reference solution, in the sandbox.
        if not str(question.get("solution", "")).strip():
            errors.append(f"{where}.solution: is required when the question has tests")
        if language not in TEST_LANGUAGES:
            errors.append(
                f"{where}.language: must be {' or '.join(TEST_LANGUAGES)} when the question "
                "has tests"
            )
        if not question.get("hidden_tests"):
            errors.append(f"{where}.hidden_tests: a question with tests needs hidden ones too")
    return errors


def _check_sql_tests(question: dict[str, Any], where: str) -> list[str]:
    errors = []
    for key in ("visible_tests", "hidden_tests"):
        tests = question.get(key, [])
        for i, test in enumerate(tests if isinstance(tests, list) else []):
            if not isinstance(test, dict):
                continue
            if ("expected" in test) == ("reference" in test):
                errors.append(f"{where}.{key}[{i}]: give either expected or reference")
            elif key == "visible_tests" and "reference" in test:
                # Candidates see visible tests: a reference query would be the answer.
                errors.append(f"{where}.{key}[{i}].reference: visible tests give expected rows")
    return errors


def validate(
    path: str,
    data: Any,
    known_categories: Iterable[str] = (),
    known_questions: Iterable[str] = (),
    claimed: dict[str, str] | None = None,
) -> BankFile:
    """Check a parsed bank file whole; raise BankError listing every problem.

    Categories and questions may be referenced when they are in the file itself or in
    `known_*` (the database, or files loaded before in the same run). `claimed` maps slugs
    already defined by other files of this run to their file, so a slug lives in one file.
    """
    if not isinstance(data, dict):
        raise BankError([f"{path}: must be a mapping with {', '.join(FILE_KEYS)}"])
    errors = [f"{path}: {key}: unknown field" for key in data if key not in FILE_KEYS]
    if not any(key in data for key in FILE_KEYS):
        errors.append(f"{path}: has none of {', '.join(FILE_KEYS)}")
    if "category" in data and "categories" in data:
        errors.append(f"{path}: categories: give either category or categories, not both")

    categories = [data["category"]] if "category" in data else data.get("categories", [])
    where_category = "category" if "category" in data else "categories"
    category_errors: list[str] = []
    if "category" in data:
        category_errors = CATEGORY(data["category"], "category")
    else:
        category_errors = list_of(CATEGORY)(categories, "categories")
        if not category_errors:
            category_errors = _duplicates(categories, "categories")
    errors += [f"{path}: {error}" for error in category_errors]
    file_categories = [c["slug"] for c in categories if isinstance(c, dict) and "slug" in c]
    default_category = file_categories[0] if where_category == "category" else None
    category_slugs = set(known_categories) | set(file_categories)

    questions = data.get("questions", [])
    question_errors = [] if isinstance(questions, list) else ["questions: must be a list"]
    if not isinstance(questions, list):
        questions = []
    for i, question in enumerate(questions):
        where = f"questions[{i}]"
        question_errors += QUESTION(question, where)
        if not isinstance(question, dict):
            continue
        question_errors += _check_question(question, where)
        category = question.get("category", default_category)
        if category is None:
            question_errors.append(f"{where}.category: is required (the file names no category)")
        elif isinstance(category, str) and category not in category_slugs:
            question_errors.append(f"{where}.category: unknown category {category!r}")
    question_errors += _duplicates(questions, "questions")
    claimed = claimed or {}
    for i, question in enumerate(questions):
        slug = question.get("slug") if isinstance(question, dict) else None
        if isinstance(slug, str) and claimed.get(slug, path) != path:
            question_errors.append(f"questions[{i}].slug: {slug!r} is already in {claimed[slug]}")
    errors += [f"{path}: {error}" for error in question_errors]

    file_questions = {q["slug"] for q in questions if isinstance(q, dict) and "slug" in q}
    question_slugs = set(known_questions) | file_questions
    templates = data.get("templates", [])
    template_errors = list_of(TEMPLATE)(templates, "templates")
    if not isinstance(templates, list):
        templates = []
    for i, template in enumerate(templates):
        if not isinstance(template, dict) or "items" not in template:
            continue
        items = template["items"]
        where = f"templates[{i}].items"
        item_errors = list_of(TEMPLATE_ITEM)(items, where)
        if not item_errors and not items:
            item_errors.append(f"{where}: must not be empty")
        for j, item in enumerate(items if isinstance(items, list) else []):
            slug = item.get("question") if isinstance(item, dict) else None
            if isinstance(slug, str) and slug not in question_slugs:
                item_errors.append(f"{where}[{j}].question: unknown question {slug!r}")
        template_errors += item_errors
    template_errors += _duplicates(templates, "templates")
    errors += [f"{path}: {error}" for error in template_errors]

    if errors:
        raise BankError(errors)
    return BankFile(
        path=path,
        categories=[{"position": 0, **c} for c in categories],
        questions=[
            {
                **{k: spec.default for k, spec in QUESTION_FIELDS.items() if not spec.required},
                **q,
                "category": q.get("category", default_category),
            }
            for q in questions
        ],
        templates=[{"description": "", "kind": "interview", **t} for t in templates],
    )
