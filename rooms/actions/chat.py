"""Chat: everyone in the room talks; an observer's messages go to the interviewers (and the
other observers) only, so the candidate never learns that someone is watching."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rooms import serializers as s
from rooms.actions.base import actor, require, text
from rooms.actions.broadcast import on_commit
from rooms.events import record_event
from rooms.live import BEHIND_THE_GLASS, EVERYONE, Outbound
from rooms.models import ChatMessage

CHAT_MAX_CHARS = 2000


@transaction.atomic
def send_chat(seat: Any, message: Any) -> Outbound:
    message = text(message, "text", CHAT_MAX_CHARS, allow_empty=False).strip()
    seat, can = actor(seat)
    require(can.talk, "the room has ended")
    to_interviewers = not can.visible
    chat = ChatMessage.objects.create(
        room=seat.room, seat=seat, text=message, to_interviewers=to_interviewers
    )
    record_event(
        seat.room_id,
        "chat",
        {
            "message": chat.id,
            "text": message,
            **({"to": "interviewers"} if to_interviewers else {}),
        },
        actor=seat,
    )
    audience = BEHIND_THE_GLASS if to_interviewers else EVERYONE
    return on_commit(
        seat.room_id,
        Outbound().to(audience, {"type": "chat.message", "message": s.chat_payload(chat)}),
    )
