"""The shipped bank covers every topic of the outline, with guidance for every question."""

import re

import pytest
from django.core.management import call_command

from questions.models import Category, Question, Template

pytestmark = pytest.mark.django_db

# Each topic of the outline: the category it belongs to, and a word that a question covering
# it has in its slug or tags.
TOPICS = {
    "python": [
        "mutable",
        "comprehensions",
        "memory",
        "decorators",
        "context-managers",
        "metaclasses",
        "asyncio",
        "gil",
        "race-condition",
    ],
    "django": [
        "request-cycle",
        "middleware",
        "migrations",
        "orm",
        "select-related",
        "prefetch-related",
        "bulk-operations",
        "indexes",
        "signals",
        "views",
        "caching",
    ],
    "postgresql": [
        "normalization",
        "blog",
        "top-n",
        "top-n-per-group",
        "joins",
        "mvcc",
        "jsonb",
        "indexes",
        "cte",
        "window-functions",
        "full-text-search",
        "extensions",
        "zero-downtime",
        "postgresql-unique",
    ],
    "system-design": [
        "scaling",
        "authentication",
        "authorization",
        "rest",
        "versioning",
    ],
    "behavioral": ["challenging-project", "code-review", "technical-challenge"],
    "coding": [
        "e-commerce",
        "two-sum",
        "palindrome",
        "punctuation",
        "external-sort",
        "debugging",
        "multi-step",
    ],
}


@pytest.fixture
def bank(db):
    call_command("load_questions", verbosity=0)


def test_every_topic_of_the_outline_has_a_question(bank):
    missing = [
        (category, topic)
        for category, topics in TOPICS.items()
        for topic in topics
        if not any(
            topic in question.tags or topic in question.slug
            for question in Question.objects.filter(category__slug=category)
        )
    ]
    assert missing == []


def test_the_bank_is_large_enough_and_every_area_has_graded_difficulty(bank):
    assert Question.objects.count() >= 60
    assert set(Category.objects.values_list("slug", flat=True)) == set(TOPICS)
    for category in TOPICS:
        questions = Question.objects.filter(category__slug=category)
        assert questions.count() >= 8, category
        assert set(questions.values_list("difficulty", flat=True)) == {"easy", "medium", "hard"}


def test_at_least_eight_coding_questions_are_runnable(bank):
    runnable = Question.objects.filter(category__slug="coding").exclude(hidden_tests=[])
    assert runnable.count() >= 8
    assert all(q.language == "python" and q.solution and q.visible_tests for q in runnable)


def test_every_question_carries_guidance_follow_ups_red_flags_and_a_rubric(bank):
    for question in Question.objects.all():
        assert question.prompt.strip() and question.tags and question.expected_minutes
        assert question.guidance.strip(), question.slug
        assert question.follow_ups and question.red_flags, question.slug
        scores = [level["score"] for level in question.rubric]
        assert scores == sorted(scores) and len(scores) >= 3, question.slug


def test_templates_are_timed_plans_whose_minutes_add_up(bank):
    templates = Template.objects.all()
    assert templates.count() >= 5
    assert {"interview", "pair"} <= set(templates.values_list("kind", flat=True))
    for template in templates:
        items = list(template.items.select_related("question"))
        minutes = [item.minutes for item in items]
        assert len(minutes) >= 2, template.slug
        # Titles announce the length, e.g. "Python screen (45 min)".
        announced = re.search(r"\((\d+) min\)", template.title)
        assert announced and sum(minutes) == int(announced.group(1)), template.slug


def test_every_template_gives_each_question_its_expected_time(bank):
    """A plan fits its length: no question gets less time than its own expected_minutes."""
    for template in Template.objects.all():
        items = list(template.items.select_related("question"))
        short = [
            (item.question.slug, item.minutes, item.question.expected_minutes)
            for item in items
            if item.minutes < item.question.expected_minutes
        ]
        assert short == [], template.slug
        announced = int(re.search(r"\((\d+) min\)", template.title).group(1))
        assert sum(item.question.expected_minutes for item in items) <= announced, template.slug
