# Trigram indexes for the forgiving search (questions.search): pg_trgm word similarity on
# titles and tags. PostgreSQL only; the embedded SQLite default searches without them.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "question_title_trgm": "(title)",
    "question_tags_trgm": "((tags::text))",
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON questions_question "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0005_question_wrong_solutions_steps"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, drop_indexes),
    ]
