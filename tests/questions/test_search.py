"""GET /questions/search: the interviewer's picker searches the bank with PostgreSQL FTS."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questions import services
from questions.models import Category, Question
from rooms.serializers import INTERVIEWER_ONLY_KEYS
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def picker(client):
    client.force_login(interviewer("alice"))

    def search(**params) -> list[dict]:
        response = client.get("/questions/search", params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json"
        return response.json()["results"]

    return search


@pytest.fixture
def lighthouses(db):
    """The same word in a title, in tags only, and in a prompt only."""
    sea = Category.objects.create(slug="sea", name="Sea", position=1)
    land = Category.objects.create(slug="land", name="Land", position=2)

    def make(slug, category, difficulty, title, prompt, tags):
        return Question.objects.create(
            slug=slug,
            category=category,
            difficulty=difficulty,
            title=title,
            prompt=prompt,
            tags=tags,
            guidance=f"secret guidance of {slug}",
            solution=f"secret solution of {slug}",
            hidden_tests=[{"name": "h", "code": "..."}],
        )

    return [
        make("in-title", land, "easy", "Keeping a lighthouse", "Explain the job.", ["jobs"]),
        make("in-tags", sea, "hard", "Ships at night", "How do ships find port?", ["lighthouses"]),
        make("in-prompt", sea, "medium", "Coastal trade", "Why was each lighthouse built?", []),
        make("unrelated", land, "medium", "Farming", "Grow some wheat.", ["crops"]),
    ]


def test_a_word_in_the_title_ranks_above_tags_above_the_prompt(picker, lighthouses):
    # "lighthouses" and "lighthouse" are one word to the English dictionary.
    assert [hit["slug"] for hit in picker(q="lighthouse")] == ["in-title", "in-tags", "in-prompt"]


def test_web_search_syntax_phrases_and_exclusions(picker, lighthouses):
    assert [hit["slug"] for hit in picker(q='"find port"')] == ["in-tags"]
    assert {hit["slug"] for hit in picker(q="lighthouse -ships")} == {"in-title", "in-prompt"}
    assert {hit["slug"] for hit in picker(q="wheat or jobs")} == {"in-title", "unrelated"}
    assert picker(q="submarine") == []


def test_filters_by_category_and_difficulty(picker, lighthouses):
    assert [hit["slug"] for hit in picker(q="lighthouse", category="sea")] == [
        "in-tags",
        "in-prompt",
    ]
    assert [hit["slug"] for hit in picker(q="lighthouse", difficulty="medium")] == ["in-prompt"]
    assert [hit["slug"] for hit in picker(category="land", difficulty="medium")] == ["unrelated"]


def test_no_words_lists_the_bank_by_category(picker, lighthouses):
    assert [hit["slug"] for hit in picker()] == ["in-prompt", "in-tags", "in-title", "unrelated"]


def test_a_hit_says_what_the_picker_shows_and_nothing_interviewer_only(picker, lighthouses):
    hit = picker(q="keeping lighthouse")[0]
    assert hit == {
        "id": lighthouses[0].id,
        "slug": "in-title",
        "title": "Keeping a lighthouse",
        "category": {"slug": "land", "name": "Land"},
        "difficulty": "easy",
        "tags": ["jobs"],
        "expected_minutes": 10,
        "language": "text",
    }
    for hit in picker():
        assert not set(hit) & set(INTERVIEWER_ONLY_KEYS)
        assert "secret" not in str(hit)


def test_the_shipped_bank_is_searchable(picker):
    call_command("load_questions", verbosity=0)
    assert picker(q="race condition")[0]["slug"] == "python-race-condition"
    assert picker(q="external merge sort")[0]["slug"] == "coding-external-merge-sort"
    assert {hit["slug"] for hit in picker(q="palindrome", category="coding")} == {
        "coding-palindrome",
        "coding-palindrome-ignoring-punctuation",
    }
    hard_sql = picker(category="postgresql", difficulty="hard")
    assert hard_sql and {(h["category"]["slug"], h["difficulty"]) for h in hard_sql} == {
        ("postgresql", "hard"),
    }


def test_the_search_uses_the_full_text_index(lighthouses):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    with CaptureQueriesContext(connection) as queries:
        services.search("lighthouse")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "question_search" in plan


def test_categories_for_the_picker(client, lighthouses):
    client.force_login(interviewer("alice"))
    assert client.get("/questions/categories").json() == {
        "results": [{"slug": "sea", "name": "Sea"}, {"slug": "land", "name": "Land"}]
    }


def test_a_bad_difficulty_is_refused(client, lighthouses):
    client.force_login(interviewer("alice"))
    response = client.get("/questions/search", {"q": "x", "difficulty": "brutal"})
    assert response.status_code == 400
    assert "difficulty" in response.json()["error"]


@pytest.mark.parametrize("role", ["candidate", "observer", None])
def test_only_interviewers_may_search(client, lighthouses, role):
    made = room_with_seats(interviewer("alice"))
    if role:
        # Opening the seat link binds the seat to this browser: a seat, not an account.
        client.get(f"/r/{made['room'].id}/join/{made['tokens'][role]}")
    room_id = made["room"].id
    for url in ("/questions/search", "/questions/categories"):
        response = client.get(url, {"q": "lighthouse", "room": room_id})
        assert response.status_code == 403
        assert "secret" not in response.content.decode()
        assert "lighthouse" not in response.content.decode().lower()


def test_a_co_interviewer_without_an_account_searches_from_their_room(client, lighthouses):
    made = room_with_seats(interviewer("alice"))
    room_id = made["room"].id
    client.get(f"/r/{room_id}/join/{made['tokens']['interviewer']}")
    response = client.get("/questions/search", {"q": "lighthouse", "room": room_id})
    assert [hit["slug"] for hit in response.json()["results"]][0] == "in-title"
    assert client.get("/questions/categories", {"room": room_id}).status_code == 200
    # The binding is to that room only.
    other = room_with_seats(interviewer("bob"))["room"].id
    assert client.get("/questions/search", {"q": "x", "room": other}).status_code == 403
