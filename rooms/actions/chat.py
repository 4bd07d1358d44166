"""Chat: everyone in the room talks; an observer's messages go to the interviewers (and the
other observers) only, so the candidate never learns that someone is watching.

On PostgreSQL a message is one call of `rooms_send_chat` (rooms migration 0006): the room's
lock, the seat read after it, the message and its transcript event, in one round trip and one
transaction. The room learns it once that call has returned, i.e. committed (never before).
The control channel makes that call from the event loop (`send_chat_async`, rooms.threads).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from django.db import connection, transaction
from django.utils import timezone

from rooms import serializers as s
from rooms.access import rights
from rooms.actions.base import Forbidden, actor, require, text
from rooms.actions.broadcast import on_commit, send_async
from rooms.events import record_event
from rooms.live import BEHIND_THE_GLASS, EVERYONE, Outbound
from rooms.models import ChatMessage, Room, Seat
from rooms.threads import on_room_connection

CHAT_MAX_CHARS = 2000
_SEND_SQL = "SELECT * FROM rooms_send_chat(%s::text, %s::bigint, %s::text, %s::timestamptz)"


def send_chat(seat: Any, message: Any) -> Outbound:
    message = text(message, "text", CHAT_MAX_CHARS, allow_empty=False).strip()
    if connection.vendor == "postgresql":
        return _send_in_one_call(seat, message)
    return _send(seat, message)


async def send_chat_async(seat: Any, message: Any) -> Outbound:
    """`send_chat` from the event loop (PostgreSQL only): the call on the room's loop
    connection, after the room's earlier calls; the room learns it once it has returned."""
    message = text(message, "text", CHAT_MAX_CHARS, allow_empty=False).strip()
    at = timezone.now()

    async def call(conn: psycopg.AsyncConnection[Any]) -> Any:
        cursor = await conn.execute(_SEND_SQL, [seat.room_id, seat.id, message, at])
        return await cursor.fetchone()

    out = _stored(seat, message, at, await on_room_connection(seat.room_id, call))
    await send_async(seat.room_id, out)
    return out


def _send_in_one_call(seat: Seat, message: str) -> Outbound:
    at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_SEND_SQL, [seat.room_id, seat.id, message, at])
        row = cursor.fetchone()
    return on_commit(seat.room_id, _stored(seat, message, at, row))


def _stored(seat: Seat, message: str, at: datetime, row: Any) -> Outbound:
    """What rooms_send_chat's row says: the message stored, or why not (nothing stored)."""
    chat_id, found, kind, status, role, name, revoked = row
    if found is None:
        raise Room.DoesNotExist(f"no room {seat.room_id!r}")
    if not found:
        raise Seat.DoesNotExist(f"no seat {seat.id} in room {seat.room_id!r}")
    fresh = Seat(id=seat.id, room_id=seat.room_id, role=role, name=name)
    fresh.revoked_at = at if revoked else None
    fresh.room = Room(id=seat.room_id, kind=kind, status=status)
    can = rights(fresh)
    if chat_id is None:  # refused, nothing stored: say why, as every action does
        if not can.enter:
            raise Forbidden("this seat is no longer valid")
        require(can.talk, "the room has ended")
        raise RuntimeError("rooms_send_chat refused a seat that may talk")
    chat = ChatMessage(
        id=chat_id, room_id=seat.room_id, seat=fresh, text=message, at=at,
        to_interviewers=not can.visible,
    )  # fmt: skip
    return _outbound(chat)


@transaction.atomic
def _send(seat: Any, message: str) -> Outbound:
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
    return on_commit(seat.room_id, _outbound(chat))


def _outbound(chat: ChatMessage) -> Outbound:
    audience = BEHIND_THE_GLASS if chat.to_interviewers else EVERYONE
    return Outbound().to(audience, {"type": "chat.message", "message": s.chat_payload(chat)})
