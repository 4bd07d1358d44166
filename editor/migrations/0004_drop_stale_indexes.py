"""Drop the indexes the foreign keys of 0001 left behind when 0002 replaced them with plain
columns (0002 changed only Django's state, so the database kept them). Every keystroke's
insert maintained them: (room_id), already the head of (room_id, id); its LIKE twin, which no
query uses; and (seat_id), which no query filters on. Nothing reads them, so going back
leaves them dropped.
"""

from django.db import migrations

STALE = [
    "editor_docupdate_room_id_14cd1815",
    "editor_docupdate_room_id_14cd1815_like",
    "editor_docupdate_seat_id_2f1b6385",
    "editor_docsnapshot_room_id_4be33abd",
    "editor_docsnapshot_room_id_4be33abd_like",
]


class Migration(migrations.Migration):
    dependencies = [("editor", "0003_append_batch_function")]
    operations = [
        migrations.RunSQL(f"DROP INDEX IF EXISTS {name}", migrations.RunSQL.noop)
        for name in STALE
    ]
