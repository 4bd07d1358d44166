"""The shared document's durable form: every Yjs update, and snapshots folded from them."""

from django.db import models


class DocUpdate(models.Model):
    """One accepted Yjs update, kept forever: playback replays the log."""

    id = models.BigAutoField(primary_key=True)
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="doc_updates")
    at = models.DateTimeField()
    seat = models.ForeignKey(
        "rooms.Seat", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["room", "id"]), models.Index(fields=["room", "at"])]


class DocSnapshot(models.Model):
    """The document state after applying every update of the room up to `upto` (inclusive)."""

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="doc_snapshots")
    upto = models.BigIntegerField()
    at = models.DateTimeField()
    data = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["room", "upto"])]
