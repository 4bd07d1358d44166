"""What the bank's guidance says libraries do, run against the real thing.

Query counts run against this project's own models on PostgreSQL (a question and its category
stand in for the questions' orders and customers, books and reviews; a room's seats and chat
for an author's books and posts); the schema claims run on the PostgreSQL server itself; the
Python snippets run in the code sandbox, as a candidate's Run would.
"""

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from questions.models import Category, Question
from questions.services import BANK_DIR
from rooms.models import ChatMessage, Room, Seat
from runner.sandbox import run_python
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db


def queries(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


@pytest.fixture
def rows() -> list[Category]:
    categories = [Category.objects.create(slug=f"c{n}", name=f"C{n}", position=n) for n in range(3)]
    for n in range(6):
        Question.objects.create(
            slug=f"q{n}",
            title=f"Q{n}",
            prompt="-",
            category=categories[n % 3],
            difficulty="easy" if n % 2 else "hard",
            expected_minutes=5 + n,
        )
    return categories


def test_django_orm_internals_the_editor_code_runs_three_queries(rows):
    # The question's starter code, line by line, with Question for Order and category for
    # customer: the guidance counts queries at lines 3, 7 and 8 only.
    orders = Question.objects.filter(difficulty="easy")
    recent = orders.filter(expected_minutes__gte=5)
    counts = {
        3: queries(lambda: bool(recent)),
        4: queries(lambda: len(recent)),
        5: queries(lambda: recent.count()),
        6: queries(lambda: recent[0]),
        7: queries(lambda: recent[0].category.name),
        8: queries(lambda: orders.exists()),
    }
    assert counts == {3: 1, 4: 0, 5: 0, 6: 0, 7: 1, 8: 1}


def test_django_orm_internals_an_evaluated_queryset_answers_from_its_cache(rows):
    ordered = Question.objects.order_by("slug")
    list(ordered)
    cached = [
        ordered.count,
        ordered.exists,
        lambda: ordered[0],
        lambda: ordered[1:3],
        ordered.first,
    ]
    assert [queries(action) for action in cached] == [0, 0, 0, 0, 0]
    always = [
        lambda: ordered.get(slug="q1"),
        lambda: ordered.aggregate(n=Count("id")),
        ordered.last,
    ]
    assert [queries(action) for action in always] == [1, 1, 1]
    unordered = Question.objects.filter(difficulty="easy").order_by()
    list(unordered)
    assert queries(unordered.first) == 1  # first() adds order_by("pk"): a new queryset


def test_django_n_plus_one_count_on_a_prefetched_relation_makes_no_query(rows):
    categories = list(Category.objects.prefetch_related("questions").order_by("position"))
    assert queries(lambda: [c.questions.count() for c in categories]) == 0
    assert queries(lambda: [len(c.questions.all()) for c in categories]) == 0
    # filter() on a prefetched relation queries again, once per parent.
    assert queries(lambda: [c.questions.filter(difficulty="easy").count() for c in categories]) == 3
    # The annotation counts in the one query.
    annotated = Category.objects.annotate(n=Count("questions")).order_by("position")
    assert queries(lambda: [c.n for c in annotated]) == 1
    assert [c.n for c in annotated] == [2, 2, 2]


def filenode(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [table])
        return cursor.fetchone()[0]


def test_live_schema_migrations_a_constant_not_null_default_rewrites_nothing():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE claim_orders (id bigint)")
        cursor.execute("INSERT INTO claim_orders SELECT generate_series(1, 10000)")
        before = filenode("claim_orders")
        cursor.execute("ALTER TABLE claim_orders ADD COLUMN channel text NOT NULL DEFAULT 'web'")
        # The same files: no rewrite. Every old row reads the default.
        assert filenode("claim_orders") == before
        cursor.execute("SELECT count(*) FROM claim_orders WHERE channel = 'web'")
        assert cursor.fetchone()[0] == 10000
        # A volatile default does rewrite the table.
        cursor.execute(
            "ALTER TABLE claim_orders ADD COLUMN seen timestamptz DEFAULT clock_timestamp()"
        )
        assert filenode("claim_orders") != before


def test_what_makes_postgresql_unique_ddl_rolls_back_with_its_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE claim_ddl (id int)")
            cursor.execute("ALTER TABLE claim_ddl ADD COLUMN name text")
        raise RuntimeError("the migration fails halfway")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('claim_ddl')")
        assert cursor.fetchone()[0] is None


def test_what_makes_postgresql_unique_an_exclusion_constraint_forbids_overlaps():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE claim_bookings (during tstzrange, EXCLUDE USING gist (during WITH &&))"
        )
        cursor.execute("INSERT INTO claim_bookings VALUES ('[2026-01-01 10:00, 2026-01-01 11:00)')")
        # Touching is not overlapping for a half-open range.
        cursor.execute("INSERT INTO claim_bookings VALUES ('[2026-01-01 11:00, 2026-01-01 12:00)')")
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(
                "INSERT INTO claim_bookings VALUES ('[2026-01-01 10:30, 2026-01-01 10:45)')"
            )


def test_django_aggregation_pitfalls_two_counts_over_two_joins_multiply():
    # A room with 3 seats and 4 chat messages stands in for an author with 3 books, 4 posts.
    made = room_with_seats(interviewer())
    room, seat = made["room"], made["seats"]["candidate"]
    for n in range(4):
        ChatMessage.objects.create(room=room, seat=seat, text=f"m{n}")
    rooms = Room.objects.filter(id=room.id)
    naive = rooms.annotate(a=Count("seats"), b=Count("chat")).get()
    assert (naive.a, naive.b) == (12, 12)
    distinct = rooms.annotate(a=Count("seats", distinct=True), b=Count("chat", distinct=True))
    assert (distinct.get().a, distinct.get().b) == (3, 4)

    def count_of(model: Any) -> Coalesce:
        counted = model.objects.filter(room=OuterRef("pk")).values("room").annotate(n=Count("*"))
        return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)

    subqueries = rooms.annotate(a=count_of(Seat), b=count_of(ChatMessage)).get()
    assert (subqueries.a, subqueries.b) == (3, 4)


def bank_question(slug: str) -> dict[str, Any]:
    for path in BANK_DIR.glob("*.yaml"):
        for question in yaml.safe_load(path.read_text()).get("questions", []):
            if question["slug"] == slug:
                return question
    raise LookupError(slug)


@pytest.mark.parametrize(
    "slug, printed",
    [
        (
            "python-mutable-immutable",
            "(1, [2, 3, 4])\ninterview\nTypeError: unhashable type: 'list'\n",
        ),
        ("python-mutable-default-argument", "['urgent']\n['urgent', 'billing']\n['book']\n"),
    ],
)
async def test_python_snippets_print_what_the_guidance_says(slug, printed):
    result = await run_python(bank_question(slug)["starter_code"])
    assert (result.exit_code, result.stdout) == (0, printed)


async def test_python_mutable_immutable_a_tuple_plus_equals_both_raises_and_changes():
    code = "t = (1, [2])\ntry:\n    t[1] += [3]\nexcept TypeError:\n    print(t)\n"
    assert (await run_python(code)).stdout == "(1, [2, 3])\n"
