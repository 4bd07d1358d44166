"""The question bank: questions, their categories, and interview templates.

Fields marked interviewer-only never reach a candidate or observer; the role-filtered
serializer in rooms/serializers.py is the one place that enforces it.
"""

from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.expressions import CombinedExpression

SEARCH_CONFIG = "english"


def search_vector() -> CombinedExpression:
    """What the bank's full-text search matches: title first, then tags, then the prompt.

    Migration 0002 builds a GIN index on this very expression (PostgreSQL only), so searches
    can use it; tests/questions/test_search.py checks that they do. The index is not in
    Meta.indexes: SQLite rebuilds a table with all its indexes on any change, and has no GIN.
    """
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("tags", weight="B", config=SEARCH_CONFIG)
        + SearchVector("prompt", weight="C", config=SEARCH_CONFIG)
    )


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    class Difficulty(models.TextChoices):
        EASY = "easy"
        MEDIUM = "medium"
        HARD = "hard"

    slug = models.SlugField(unique=True, max_length=100)
    title = models.CharField(max_length=200)
    prompt = models.TextField(help_text="What the candidate sees (Markdown).")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices)
    tags = models.JSONField(default=list, blank=True)
    expected_minutes = models.PositiveIntegerField(default=10)
    language = models.CharField(max_length=20, default="text")
    starter_code = models.TextField(blank=True)
    # SQL questions: the schema and seed data each run starts from (candidates see it).
    setup_sql = models.TextField(blank=True)
    # Interviewer-only from here on.
    guidance = models.TextField(blank=True)
    follow_ups = models.JSONField(default=list, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    rubric = models.JSONField(default=list, blank=True)
    hints = models.JSONField(default=list, blank=True)
    solution = models.TextField(blank=True)
    # Runnable questions: known-wrong answers ({name, why, code}), each failing a hidden test.
    wrong_solutions = models.JSONField(default=list, blank=True)
    # Coding questions: visible tests are shown to the candidate, hidden ones are not.
    visible_tests = models.JSONField(default=list, blank=True)
    hidden_tests = models.JSONField(default=list, blank=True)
    # Multi-step exercises: the requirements the interviewer reveals after the prompt, in order,
    # each {title, prompt, solution, visible_tests, hidden_tests} (interviewer-only until told).
    steps = models.JSONField(default=list, blank=True)
    # Digest of the bank file's record last loaded into this row: a row whose content no longer
    # matches it was edited here (in the admin), and loading the files again keeps that edit.
    loaded_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["category__position", "slug"]

    def __str__(self) -> str:
        return self.title


class Template(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, default="interview")
    loaded_digest = models.CharField(max_length=64, blank=True, editable=False)  # as Question's

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TemplateItem(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="template_item_position")
        ]
