from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


class RoomsConfig(AppConfig):
    name = "rooms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rooms.models import Room

        post_delete.connect(_delete_document, sender=Room, dispatch_uid="room-document")


def _delete_document(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The editor keeps a room's document by its id, with no foreign key: it goes with the
    room (the admin deletes rooms)."""
    from editor import documents

    documents.delete(instance.id)
