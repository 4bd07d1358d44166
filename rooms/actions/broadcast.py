"""Sending what a change tells the room, once the change is committed (never before, and
never for a change that rolled back): Zulip's send_event_on_commit."""

from __future__ import annotations

from django.db import transaction

from editor import documents
from relay.loops import run_soon
from rooms import live
from rooms.live import Outbound


def on_commit(room_id: str, out: Outbound) -> Outbound:
    """Send `out` to the room when the current transaction commits."""
    transaction.on_commit(lambda: send(room_id, out))
    return out


def send(room_id: str, out: Outbound) -> None:
    """Send from sync code (an action's commit): handed to the server's event loop."""
    run_soon(lambda: send_async(room_id, out))


async def send_async(room_id: str, out: Outbound) -> None:
    # Document first: a client that sees `question.shown` should find the starter code there.
    for name, text in out.texts:
        await documents.insert_text_async(room_id, name, text)
    if out.refresh:  # rights changed: the document channel's connections learn it too
        await documents.access_changed_async(room_id)
    await live.publish(room_id, out)
