"""The question bank as files: load (after questions.schema checked them) and dump; and the
interviewer's search.

Loading is keyed by slug and idempotent. Each file loads in its own transaction, after it was
checked whole: a file with any error loads nothing, and the error names the file and the field.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import QuerySet

from questions import search as forgiving_search
from questions.models import (
    Category,
    Question,
    Template,
    TemplateItem,
)
from questions.schema import QUESTION_FIELDS, BankError, BankFile, read_file, validate

BANK_DIR = Path(settings.BASE_DIR) / "questions" / "bank"
SEARCH_LIMIT = 50
BANK_ORDER = ("category__position", "category__slug", "slug")


# --- loading ---------------------------------------------------------------------------


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    categories: int = 0
    questions: int = 0
    templates: int = 0
    # Slugs of rows edited since they were last loaded, left as they are (see `overwrite`).
    kept: list[str] = field(default_factory=list)


def digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def _keeps_local_edit(row: Any, current: dict[str, Any], new_digest: str) -> bool:
    """A row changed since its last load (or made in the admin) that the file would change."""
    now = digest(current)
    return now != row.loaded_digest and now != new_digest


def bank_files(directory: Path = BANK_DIR) -> list[Path]:
    """The bank's files; templates last, since they refer to questions of the other files."""
    files = sorted(directory.glob("*.yaml"))
    return sorted(files, key=lambda path: path.name == "templates.yaml")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def _upsert(model: Any, rows: list[Any], fields: list[str]) -> None:
    """Insert new rows and update existing ones, matched by slug, in one statement."""
    if rows:
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["slug"], update_fields=fields
        )


def _store(bank: BankFile, report: LoadReport, overwrite: bool) -> None:
    _upsert(
        Category,
        [Category(**category) for category in bank.categories],
        ["name", "position"],
    )
    category_ids = dict(Category.objects.values_list("slug", "id"))
    question_fields = [key for key in QUESTION_FIELDS if key not in ("slug", "category")]
    existing = Question.objects.select_related("category").in_bulk(
        [q["slug"] for q in bank.questions], field_name="slug"
    )
    rows = []
    for question in bank.questions:
        new_digest = digest(question)
        row = existing.get(question["slug"])
        if row and not overwrite and _keeps_local_edit(row, question_record(row), new_digest):
            report.kept.append(question["slug"])
            continue
        rows.append(
            Question(
                slug=question["slug"],
                category_id=category_ids[question["category"]],
                loaded_digest=new_digest,
                **{key: question[key] for key in question_fields},
            )
        )
    _upsert(Question, rows, [*question_fields, "category", "loaded_digest"])
    question_ids = dict(Question.objects.values_list("slug", "id"))
    for data in bank.templates:
        new_digest = digest(data)
        template = Template.objects.filter(slug=data["slug"]).first()
        if (
            template
            and not overwrite
            and _keeps_local_edit(template, template_record(template), new_digest)
        ):
            report.kept.append(data["slug"])
            continue
        template, _ = Template.objects.update_or_create(
            slug=data["slug"],
            defaults={
                **{k: data[k] for k in ("title", "description", "kind")},
                "loaded_digest": new_digest,
            },
        )
        # The file is the whole plan: rooms copy a template's items, so replacing them is safe.
        template.items.all().delete()
        TemplateItem.objects.bulk_create(
            TemplateItem(
                template=template,
                question_id=question_ids[item["question"]],
                position=position,
                minutes=item["minutes"],
            )
            for position, item in enumerate(data["items"], start=1)
        )
        report.templates += 1
    report.files.append(bank.path)
    report.categories += len(bank.categories)
    report.questions += len(rows)


def _syntax_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno}, column {exc.colno}: is not valid JSON: {exc.msg}"
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: is not valid YAML: {exc.problem}"
    return f"is not valid YAML or UTF-8: {exc}"


def load_files(paths: Sequence[Path] | None = None, overwrite: bool = False) -> LoadReport:
    """Load bank files (all of questions/bank/ by default), each in its own transaction.

    Every good file is loaded; if any file was bad, BankError lists the problems of all the
    bad ones after the good ones are in. A question or template edited in the database since
    it was last loaded keeps its edit (listed in `kept`) unless `overwrite`.
    """
    report = LoadReport()
    errors: list[str] = []
    claimed: dict[str, str] = {}
    for path in paths if paths is not None else bank_files():
        name = _display(path)
        try:
            data = read_file(path)
        except OSError as exc:
            errors.append(f"{name}: cannot be read: {exc.strerror or exc}")
            continue
        except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            errors.append(f"{name}: {_syntax_error(exc)}")
            continue
        try:
            with transaction.atomic():
                bank = validate(
                    name,
                    data,
                    known_categories=Category.objects.values_list("slug", flat=True),
                    known_questions=Question.objects.values_list("slug", flat=True),
                    claimed=claimed,
                )
                _store(bank, report, overwrite)
        except BankError as exc:
            errors += exc.errors
            continue
        except DatabaseError as exc:
            # What the checks above do not foresee (a NUL character in a text, say).
            errors.append(f"{name}: could not be stored: {' '.join(str(exc).split())}")
            continue
        claimed.update({q["slug"]: name for q in bank.questions})
    if errors:
        raise BankError(errors)
    return report


# --- multi-step exercises -------------------------------------------------------------


def step_tests(question: Question, step: int, which: str) -> list[dict[str, Any]]:
    """The `which` ("visible" or "hidden") tests a multi-step question has up to `step`.

    Step 1 is the question's own prompt and tests; step n adds `steps[n - 2]`'s to all the
    earlier ones, since each step grows the same code.
    """
    if not 1 <= step <= len(question.steps) + 1:
        raise ValueError(f"question {question.slug} has steps 1 to {len(question.steps) + 1}")
    tests = list(getattr(question, f"{which}_tests"))
    for later in question.steps[: step - 1]:
        tests += later.get(f"{which}_tests", [])
    return tests


# --- dumping ---------------------------------------------------------------------------


def question_record(question: Question) -> dict[str, Any]:
    """Every field of a question, interviewer-only ones included, as a bank file holds it."""
    return {
        "slug": question.slug,
        "title": question.title,
        "category": question.category.slug,
        **{
            key: getattr(question, key)
            for key in QUESTION_FIELDS
            if key not in ("slug", "title", "category")
        },
    }


def template_record(template: Template) -> dict[str, Any]:
    return {
        "slug": template.slug,
        "title": template.title,
        "description": template.description,
        "kind": template.kind,
        "items": [
            {"question": item.question.slug, "minutes": item.minutes}
            for item in template.items.select_related("question").order_by("position")
        ],
    }


def dump() -> dict[str, Any]:
    """The whole bank, in the format load_files reads back (as JSON)."""
    return {
        "categories": [
            {"slug": c.slug, "name": c.name, "position": c.position} for c in Category.objects.all()
        ],
        "questions": [
            question_record(question)
            for question in Question.objects.select_related("category").order_by(*BANK_ORDER)
        ],
        "templates": [template_record(t) for t in Template.objects.order_by("slug")],
    }


# --- search ----------------------------------------------------------------------------


def search(text: str = "", category: str = "", difficulty: str = "") -> list[Question]:
    """Bank questions for the interviewer's picker: best matches first, at most SEARCH_LIMIT.

    With no words, the bank in category order; else `questions.search` (forgiving: prefixes,
    abbreviations, similar titles and tags).
    """
    questions: QuerySet[Question] = Question.objects.select_related("category")
    if category:
        questions = questions.filter(category__slug=category)
    if difficulty:
        questions = questions.filter(difficulty=difficulty)
    text = text.strip()
    if not text:
        return list(
            questions.exclude(category__slug=forgiving_search.PADS).order_by(
                "category__position", "category__slug", "slug"
            )[:SEARCH_LIMIT]
        )
    questions = forgiving_search.matching(questions, text)
    return list(questions[:SEARCH_LIMIT])


def search_hit(question: Question) -> dict[str, Any]:
    """What the picker shows of a question: nothing interviewer-only, no prompt text."""
    return {
        "id": question.id,
        "slug": question.slug,
        "title": question.title,
        "category": {"slug": question.category.slug, "name": question.category.name},
        "difficulty": question.difficulty,
        "tags": question.tags,
        "expected_minutes": question.expected_minutes,
        "language": question.language,
    }
