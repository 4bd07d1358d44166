"""load_questions / dump_questions: idempotent, keyed by slug; a bad file loads nothing."""

import io
import json
import re
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from questions.models import Question, Template

pytestmark = pytest.mark.django_db

GOOD = """
category: {slug: warmups, name: Warm-ups, position: 9}
questions:
  - slug: warmup-hello
    title: Say hello
    prompt: Print a greeting.
    difficulty: easy
    tags: [basics]
    guidance: Anyone can do this.
templates:
  - slug: warmup-plan
    title: Warm-up plan
    items: [{question: warmup-hello, minutes: 5}]
"""


def write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def dump() -> dict:
    out = io.StringIO()
    call_command("dump_questions", stdout=out)
    return json.loads(out.getvalue())


def load(*paths: Path) -> None:
    call_command("load_questions", *map(str, paths), verbosity=0)


def test_loading_the_bank_twice_changes_nothing():
    load()
    first, ids = dump(), dict(Question.objects.values_list("slug", "id"))
    assert len(first["questions"]) >= 60
    load()
    assert dump() == first
    assert dict(Question.objects.values_list("slug", "id")) == ids


def test_loading_again_updates_by_slug_and_replaces_a_templates_plan(tmp_path):
    path = write(tmp_path, GOOD)
    load(path)
    question = Question.objects.get(slug="warmup-hello")
    assert (question.title, question.expected_minutes, question.language) == (
        "Say hello",
        10,
        "text",
    )
    write(
        tmp_path, GOOD.replace("Say hello", "Say hello twice").replace("minutes: 5", "minutes: 7")
    )
    load(path)
    assert Question.objects.get(slug="warmup-hello").title == "Say hello twice"
    assert Question.objects.get(slug="warmup-hello").id == question.id
    items = Template.objects.get(slug="warmup-plan").items.all()
    assert [(item.question.slug, item.minutes) for item in items] == [("warmup-hello", 7)]


def test_dump_then_load_gives_back_the_same_bank(tmp_path):
    load()
    before = dump()
    exported = tmp_path / "bank.json"
    exported.write_text(json.dumps(before, ensure_ascii=False))
    # Someone edits the bank in the admin; loading the export with --overwrite puts it back.
    Question.objects.filter(slug=before["questions"][0]["slug"]).update(title="Edited", tags=[])
    Template.objects.get(slug=before["templates"][0]["slug"]).items.all().delete()
    call_command("load_questions", str(exported), overwrite=True, verbosity=0)
    assert dump() == before


def test_edits_made_in_the_admin_survive_loading_the_files_again(tmp_path):
    path = write(tmp_path, GOOD)
    load(path)
    Question.objects.filter(slug="warmup-hello").update(title="Say hello (edited)")
    Template.objects.get(slug="warmup-plan").items.update(minutes=9)
    # The file changes too; a plain load (as every server start does) keeps both edits...
    write(tmp_path, GOOD.replace("Print a greeting.", "Print two greetings."))
    err = io.StringIO()
    call_command("load_questions", str(path), stderr=err, verbosity=0)
    assert "warmup-hello, warmup-plan" in err.getvalue() and "--overwrite" in err.getvalue()
    question = Question.objects.get(slug="warmup-hello")
    assert (question.title, question.prompt) == ("Say hello (edited)", "Print a greeting.")
    assert Template.objects.get(slug="warmup-plan").items.get().minutes == 9
    # ...and --overwrite replaces them with the file's.
    call_command("load_questions", str(path), overwrite=True, verbosity=0)
    question = Question.objects.get(slug="warmup-hello")
    assert (question.title, question.prompt) == ("Say hello", "Print two greetings.")
    assert Template.objects.get(slug="warmup-plan").items.get().minutes == 5
    # Once loaded again, later file changes apply as usual.
    write(tmp_path, GOOD.replace("Say hello", "Greet"))
    load(path)
    assert Question.objects.get(slug="warmup-hello").title == "Greet"


FULL_QUESTION = {
    "slug": "warmup-add",
    "title": "Add two numbers",
    "category": "warmups",
    "prompt": "Write `add(a, b)`.",
    "difficulty": "easy",
    "tags": ["basics", "functions"],
    "expected_minutes": 5,
    "language": "python",
    "starter_code": "def add(a, b):\n    raise NotImplementedError\n",
    "guidance": "Strong answers mention nothing special.",
    "follow_ups": ["What about floats?"],
    "red_flags": ["Uses eval."],
    "rubric": [{"score": 1, "label": "Weak", "description": "Does not run."}],
    "hints": ["Python has a + operator."],
    "solution": "def add(a, b):\n    return a + b\n",
    "wrong_solutions": [
        {"name": "minus", "why": "Subtracts.", "code": "def add(a, b):\n    return a - b\n"}
    ],
    "setup_sql": "",
    "visible_tests": [{"name": "small", "code": "assert add(1, 2) == 3"}],
    "hidden_tests": [{"name": "negative", "code": "assert add(-1, -2) == -3"}],
    "steps": [
        {
            "title": "Three numbers",
            "prompt": "Now `add(a, b, c=0)`.",
            "solution": "def add(a, b, c=0):\n    return a + b + c\n",
            "visible_tests": [],
            "hidden_tests": [{"name": "three", "code": "assert add(1, 2, 3) == 6"}],
        }
    ],
}


def test_the_dump_carries_every_field_interviewer_only_ones_included(tmp_path):
    bank = {
        "categories": [{"slug": "warmups", "name": "Warm-ups", "position": 9}],
        "questions": [FULL_QUESTION],
    }
    load(write(tmp_path, json.dumps(bank), "bank.json"))
    dumped = dump()
    assert dumped["categories"] == bank["categories"]
    assert dumped["questions"] == [FULL_QUESTION]


BAD_FILES = {
    "not YAML": ("questions:\n  - slug: x\n   title: y\n", "line 3, column 4: is not valid YAML"),
    "missing field": (
        GOOD.replace("    prompt: Print a greeting.\n", ""),
        "questions[0].prompt: is required",
    ),
    "wrong type": (
        GOOD.replace("tags: [basics]", "tags: basics"),
        "questions[0].tags: must be a list of strings",
    ),
    "a count that is a word": (
        GOOD.replace("minutes: 5", "minutes: five"),
        "templates[0].items[0].minutes: must be a whole number",
    ),
    "bad difficulty": (
        GOOD.replace("difficulty: easy", "difficulty: brutal"),
        "questions[0].difficulty: must be one of easy, medium, hard",
    ),
    "misspelt field": (
        GOOD.replace("guidance:", "guidence:"),
        "questions[0].guidence: unknown field",
    ),
    "unknown category": (
        GOOD.replace("category: {slug: warmups, name: Warm-ups, position: 9}", "").replace(
            "    difficulty: easy", "    difficulty: easy\n    category: no-such-category"
        ),
        "questions[0].category: unknown category 'no-such-category'",
    ),
    "unknown question in a template": (
        GOOD.replace(
            "{question: warmup-hello, minutes: 5}",
            "{question: warmup-hello, minutes: 5}, {question: no-such-question, minutes: 5}",
        ),
        "templates[0].items[1].question: unknown question 'no-such-question'",
    ),
    "duplicate slug": (
        GOOD.replace(
            "templates:",
            "  - {slug: warmup-hello, title: A, prompt: B, difficulty: easy}\ntemplates:",
        ),
        "questions[1].slug: duplicate of questions[0] ('warmup-hello')",
    ),
    "tests without a solution": (
        GOOD.replace(
            "tags: [basics]",
            "tags: [basics]\n    language: python\n"
            "    hidden_tests: [{name: t, code: 'assert hello()'}]",
        ),
        "questions[0].solution: is required when the question has tests",
    ),
    "a YAML yes where a whole number is required": (
        GOOD.replace("minutes: 5", "minutes: yes"),
        "templates[0].items[0].minutes: must be a whole number",
    ),
    "tests but no hidden tests": (
        GOOD.replace(
            "tags: [basics]",
            "tags: [basics]\n    language: python\n    solution: 'def hello(): return 1'\n"
            "    visible_tests: [{name: t, code: 'assert hello()'}]",
        ),
        "questions[0].hidden_tests: a question with tests needs hidden ones too",
    ),
    "a step without hidden tests": (
        GOOD.replace(
            "tags: [basics]",
            "tags: [basics]\n    language: python\n    solution: 'def hello(): return 1'\n"
            "    hidden_tests: [{name: t, code: 'assert hello()'}]\n"
            "    steps: [{title: Two, prompt: More., solution: 'def hello(): return 2'}]",
        ),
        "questions[0].steps[0].hidden_tests: is required",
    ),
    "steps on a question that does not run": (
        GOOD.replace(
            "tags: [basics]",
            "tags: [basics]\n    steps: [{title: Two, prompt: More., solution: x,"
            " hidden_tests: [{name: t, code: 'assert 1'}]}]",
        ),
        "questions[0].steps: only a runnable Python question has steps",
    ),
    "wrong solutions with nothing to fail": (
        GOOD.replace(
            "tags: [basics]",
            "tags: [basics]\n    wrong_solutions: [{name: n, why: w, code: 'def hello(): pass'}]",
        ),
        "questions[0].wrong_solutions: only a question with hidden tests can show one",
    ),
    "a category slug too long for its column": (
        GOOD.replace("slug: warmups", "slug: " + "w" * 51),
        "category.slug: must be at most 50 characters",
    ),
    "a NUL character, which PostgreSQL cannot store": (
        GOOD.replace("Print a greeting.", '"Print\\0 a greeting."'),
        "could not be stored",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_names_file_and_field_and_loads_nothing(tmp_path, case):
    text, message = BAD_FILES[case]
    good, bad = write(tmp_path, GOOD.replace("warmup", "other"), "good.yaml"), write(tmp_path, text)
    with pytest.raises(CommandError) as error:
        load(good, bad)
    assert f"{bad}: {message}" in str(error.value)
    # The good file is in; nothing of the bad one is, not even its valid parts.
    assert Question.objects.filter(slug="other-hello").exists()
    assert not Question.objects.filter(slug__startswith="warmup").exists()
    assert not Template.objects.filter(slug="warmup-plan").exists()


def test_a_slug_lives_in_one_file(tmp_path):
    first, second = write(tmp_path, GOOD, "a.yaml"), write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(CommandError) as error:
        load(first, second)
    assert f"{second}: questions[0].slug: 'warmup-hello' is already in {first}" in str(error.value)


SQL_QUESTION = """
category: {slug: warmups, name: Warm-ups, position: 9}
questions:
  - slug: warmup-sql
    title: Count rows
    prompt: Count the rows of t.
    difficulty: easy
    language: sql
    setup_sql: "CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2);"
    solution: SELECT count(*) FROM t;
    visible_tests:
      - {name: two, expected: [[2]]}
    hidden_tests:
      - {name: three, setup: "INSERT INTO t VALUES (3)", reference: "SELECT count(*) FROM t"}
"""


def test_an_sql_question_loads_with_its_set_up_and_result_set_tests(tmp_path):
    load(write(tmp_path, SQL_QUESTION))
    question = Question.objects.get(slug="warmup-sql")
    assert question.setup_sql.startswith("CREATE TABLE t")
    assert question.visible_tests == [{"name": "two", "expected": [[2]]}]


@pytest.mark.parametrize(
    "change, error",
    [
        (
            ("{name: two, expected: [[2]]}", "{name: two, reference: SELECT 2}"),
            "visible_tests[0].reference: visible tests give expected rows",
        ),
        (
            ("{name: two, expected: [[2]]}", "{name: two}"),
            "visible_tests[0]: give either expected or reference",
        ),
        (("expected: [[2]]", "expected: [[2], [1, 2]]"), "rows must all have the same number"),
        (("{name: two, expected", "{name: two, code: x, expected"), "code: unknown field"),
        (("language: sql", "language: python"), "setup_sql: only an sql question has a set-up"),
        (
            ("solution:", "wrong_solutions: [{name: n, code: SELECT 1}]\n    solution:"),
            "wrong_solutions[0].why: is required",
        ),
        (
            ("solution:", "wrong_solutions: [{name: n, why: w, code: ''}]\n    solution:"),
            "wrong_solutions[0].code: must not be empty",
        ),
    ],
)
def test_a_bad_sql_question_is_refused_with_its_field(tmp_path, change, error):
    path = write(tmp_path, SQL_QUESTION.replace(*change))
    with pytest.raises(CommandError, match=re.escape(error)):
        load(path)
    assert not Question.objects.filter(slug="warmup-sql").exists()
