"""The shared document's durable form: every Yjs update, and snapshots folded from them.

The editor knows documents by the id of the room they belong to and authors by a number
the room's access rule gives it (a seat); it holds no foreign key into another app, so it
can be read, tested and moved on its own. The rooms app deletes a room's document with it.
"""

from django.db import models


class DocUpdate(models.Model):
    """One accepted Yjs update, kept forever: playback replays the log."""

    id = models.BigAutoField(primary_key=True)
    room_id = models.CharField(max_length=32)
    at = models.DateTimeField()
    seat_id = models.BigIntegerField(null=True, blank=True)  # who typed it; null: the server
    data = models.BinaryField()

    class Meta:
        indexes = [
            models.Index(fields=["room_id", "id"], name="editor_docu_room_id_1d32c6_idx"),
            models.Index(fields=["room_id", "at"], name="editor_docu_room_id_68b63b_idx"),
        ]


class DocSnapshot(models.Model):
    """The document state after applying every update of the room up to `upto` (inclusive)."""

    room_id = models.CharField(max_length=32)
    upto = models.BigIntegerField()
    at = models.DateTimeField()
    data = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["room_id", "upto"], name="editor_docs_room_id_dd7292_idx")]
        # Two processes may fold the same point at once: the second one's copy is skipped.
        constraints = [models.UniqueConstraint(fields=["room_id", "upto"], name="one_snapshot")]


class DocBatch(models.Model):
    """A stored write batch, by the key its writer gave it: a writer that lost its connection
    while committing asks whether the batch made it before writing it again (never twice)."""

    key = models.UUIDField(primary_key=True)
    ids = models.JSONField()  # the batch's update ids, in batch order
    at = models.DateTimeField(db_index=True)  # old keys are pruned
