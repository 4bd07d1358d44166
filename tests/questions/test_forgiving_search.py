"""The picker's search forgives what people type: abbreviations, prefixes, near-misses; on
PostgreSQL (ranked full-text search plus pg_trgm) and on the embedded SQLite default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from questions import services

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_questions", verbosity=0)
    yield
    with django_db_blocker.unblock():
        from questions.models import Category, Question, Template

        Template.objects.all().delete()
        Question.objects.all().delete()
        Category.objects.all().delete()


def titles(text: str) -> list[str]:
    return [q.title for q in services.search(text)]


# Each example of the issue, and each abbreviation the search knows.
EXAMPLES = [
    ("LRU", "A least-recently-used cache"),
    ("lru cache", "A least-recently-used cache"),
    ("N+1", "Finding and fixing N+1 queries"),
    ("n+1 queries", "Finding and fixing N+1 queries"),
    ("decor", "Writing and using decorators"),
    ("decorater", "Writing and using decorators"),
    ("GIL", "The Global Interpreter Lock"),
    ("ORM", "How the ORM works and what it costs"),
    ("MVCC", "MVCC, isolation and vacuum"),
    ("CTE", "Walking a hierarchy with a recursive CTE"),
]


@pytest.mark.parametrize(("typed", "title"), EXAMPLES)
def test_what_people_type_finds_the_question(bank, typed, title):
    found = titles(typed)
    assert title in found[:3], found


def test_an_abbreviation_finds_questions_that_spell_it_out(db):
    from tests.factories import question

    question("plain", title="Global interpreter lock and threads", prompt="Threads and the lock.")
    question("mapper", title="Object relational mapping pitfalls", prompt="Lazy loading.")
    assert "Global interpreter lock and threads" in titles("gil")
    assert "Object relational mapping pitfalls" in titles("orm")
    assert "Object relational mapping pitfalls" not in titles("gil")


def test_the_best_match_stays_first(bank):
    # Full-text ranking still decides: a title hit comes before a prompt-only mention.
    assert titles("decorators")[0] == "Writing and using decorators"


def test_the_quiet_and_the_refused_cases(bank):
    assert titles("zzzzqqq") == []
    # Punctuation, quotes and tsquery operators are words to search, never syntax errors.
    for odd in ("'", "a & | ! <-> :*", "(", "\\", "n+", "---"):
        assert isinstance(services.search(odd), list)


def test_the_embedded_sqlite_default_searches_sensibly(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    script = (
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0); call_command('load_questions', verbosity=0);"
        "from questions import services; import json;"
        "print(json.dumps({t: [q.title for q in services.search(t)] for t in %r}))"
    ) % ["LRU", "lru cache", "N+1", "decor", "GIL", "MVCC", "zzzzqqq"]
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert "A least-recently-used cache" in found["LRU"]
    assert "A least-recently-used cache" in found["lru cache"]
    assert "Finding and fixing N+1 queries" in found["N+1"]
    assert "Writing and using decorators" in found["decor"]
    assert "The Global Interpreter Lock" in found["GIL"]
    assert "MVCC, isolation and vacuum" in found["MVCC"]
    assert found["zzzzqqq"] == []
