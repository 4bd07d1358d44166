import hashlib
import json

from django.db import migrations, models

# The record a question's loaded_digest was computed from before wrong_solutions and steps.
FIELDS_BEFORE = [
    "prompt", "difficulty", "tags", "expected_minutes", "language", "starter_code",
    "guidance", "follow_ups", "red_flags", "hints", "solution", "setup_sql", "rubric",
    "visible_tests", "hidden_tests",
]


def digest(record):
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def redigest(apps, schema_editor):
    """A question unedited since it was loaded stays unedited: its digest gains the new fields."""
    Question = apps.get_model("questions", "Question")
    for question in Question.objects.select_related("category"):
        record = {
            "slug": question.slug,
            "title": question.title,
            "category": question.category.slug,
            **{name: getattr(question, name) for name in FIELDS_BEFORE},
        }
        if question.loaded_digest == digest(record):
            question.loaded_digest = digest({**record, "wrong_solutions": [], "steps": []})
            question.save(update_fields=["loaded_digest"])


class Migration(migrations.Migration):

    dependencies = [
        ("questions", "0004_question_setup_sql"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="wrong_solutions",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="question",
            name="steps",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(redigest, migrations.RunPython.noop),
    ]
