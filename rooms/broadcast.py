"""Fan-out of committed changes to every connection of a room, across processes.

Each connection joins its room's group and one role group, so interviewer-only frames (notes,
scores, the full question) travel only to interviewer connections.
"""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from editor.hub import announce_stored
from rooms.services import Audience, Outbound


def group_for(room_id: str, audience: Audience) -> str:
    # Room ids are URL-safe base64: valid in group names (letters, digits, -, _, .).
    return f"room.{room_id}" if audience == "all" else f"room.{room_id}.{audience}"


def role_audience(role: str) -> Audience:
    return "interviewers" if role == "interviewer" else "others"


async def publish(room_id: str, out: Outbound) -> None:
    layer: Any = get_channel_layer()
    # Document first: a client that sees `question.shown` should find the starter code there.
    if out.doc_updates:  # stored already
        await announce_stored(room_id)
    for audience, frame in out.frames:
        await layer.group_send(group_for(room_id, audience), {"type": "room.frame", "frame": frame})
    if out.refresh:
        await layer.group_send(group_for(room_id, "all"), {"type": "room.refresh"})


def publish_sync(room_id: str, out: Outbound) -> None:
    """For views and commands that call a service outside the event loop."""
    async_to_sync(publish)(room_id, out)
