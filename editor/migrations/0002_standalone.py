"""The editor stands alone: its tables keep room and seat ids without foreign keys into the
rooms app (same columns, same data; only the constraints go), snapshots are unique per point,
and write batches get keys that make a retried batch harmless."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("editor", "0001_initial")]

    operations = [
        # Drop the foreign key constraints first (the database side of the change) ...
        migrations.AlterField(
            model_name="docupdate",
            name="room",
            field=models.ForeignKey(
                db_constraint=False, on_delete=models.DO_NOTHING, related_name="+", to="rooms.room"
            ),
        ),
        migrations.AlterField(
            model_name="docupdate",
            name="seat",
            field=models.ForeignKey(
                blank=True,
                null=True,
                db_constraint=False,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="rooms.seat",
            ),
        ),
        migrations.AlterField(
            model_name="docsnapshot",
            name="room",
            field=models.ForeignKey(
                db_constraint=False, on_delete=models.DO_NOTHING, related_name="+", to="rooms.room"
            ),
        ),
        # ... then tell Django the same columns are plain ids now (no change in the database).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="docupdate", name="editor_docu_room_id_1d32c6_idx"),
                migrations.RemoveIndex(model_name="docupdate", name="editor_docu_room_id_68b63b_idx"),
                migrations.RemoveIndex(model_name="docsnapshot", name="editor_docs_room_id_dd7292_idx"),
                migrations.RemoveField(model_name="docupdate", name="room"),
                migrations.RemoveField(model_name="docupdate", name="seat"),
                migrations.RemoveField(model_name="docsnapshot", name="room"),
                migrations.AddField(
                    model_name="docupdate",
                    name="room_id",
                    field=models.CharField(max_length=32),
                    preserve_default=False,
                ),
                migrations.AddField(
                    model_name="docupdate",
                    name="seat_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="docsnapshot",
                    name="room_id",
                    field=models.CharField(max_length=32),
                    preserve_default=False,
                ),
                migrations.AddIndex(
                    model_name="docupdate",
                    index=models.Index(fields=["room_id", "id"], name="editor_docu_room_id_1d32c6_idx"),
                ),
                migrations.AddIndex(
                    model_name="docupdate",
                    index=models.Index(fields=["room_id", "at"], name="editor_docu_room_id_68b63b_idx"),
                ),
                migrations.AddIndex(
                    model_name="docsnapshot",
                    index=models.Index(fields=["room_id", "upto"], name="editor_docs_room_id_dd7292_idx"),
                ),
            ],
            database_operations=[],
        ),
        # Duplicate snapshots (two folders at once) are harmless but useless: keep the first.
        migrations.RunSQL(
            "DELETE FROM editor_docsnapshot WHERE id NOT IN"
            " (SELECT min(id) FROM editor_docsnapshot GROUP BY room_id, upto)",
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="docsnapshot",
            constraint=models.UniqueConstraint(fields=("room_id", "upto"), name="one_snapshot"),
        ),
        migrations.CreateModel(
            name="DocBatch",
            fields=[
                ("key", models.UUIDField(primary_key=True, serialize=False)),
                ("ids", models.JSONField()),
                ("at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
