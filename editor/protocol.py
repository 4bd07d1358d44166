"""The y-websocket wire format: sync (step 1, step 2, update) and awareness messages.

Message encoding comes from pycrdt; this module adds the parsing the server needs to look at
a frame before acting on it (the Channels consumer in pycrdt-websocket relays raw frames
unseen, which is the trap we avoid).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NamedTuple

from pycrdt import (
    Decoder,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_update_message,
    write_message,
    write_var_uint,
)

__all__ = [
    "AwarenessEntry",
    "Malformed",
    "Message",
    "create_awareness_message",
    "create_sync_step1_message",
    "create_sync_step2_message",
    "create_update_message",
    "encode_awareness",
    "parse_awareness",
    "parse_message",
]


class Malformed(ValueError):
    """A frame that is not a well-formed y-websocket message."""


def create_sync_step1_message(state_vector: bytes) -> bytes:
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1]) + write_message(state_vector)


def create_sync_step2_message(update: bytes) -> bytes:
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + write_message(update)


class Message(NamedTuple):  # made for every frame: a tuple is the cheapest immutable record
    kind: str  # "sync1", "sync2", "update", "awareness", "query_awareness"
    payload: bytes


SYNC_KINDS: dict[int, str] = {
    YSyncMessageType.SYNC_STEP1: "sync1",
    YSyncMessageType.SYNC_STEP2: "sync2",
    YSyncMessageType.SYNC_UPDATE: "update",
}


def _read_payload(decoder: Decoder) -> bytes:
    payload = decoder.read_message()
    if payload is None or decoder.length != 0:
        raise Malformed("payload length does not match the frame")
    return payload


def parse_message(frame: bytes) -> Message:
    try:
        if len(frame) < 2:
            raise Malformed("frame too short")
        decoder = Decoder(frame)
        message_type = decoder.read_var_uint()
        if message_type == YMessageType.SYNC:
            sync_type = decoder.read_var_uint()
            payload = _read_payload(decoder)
            kind = SYNC_KINDS.get(sync_type)
            if kind is None:
                raise Malformed(f"unknown sync message type {sync_type}")
            return Message(kind, payload)
        if message_type == YMessageType.AWARENESS:
            return Message("awareness", _read_payload(decoder))
        if message_type == 3:  # query awareness
            return Message("query_awareness", b"")
        raise Malformed(f"unknown message type {message_type}")
    except (IndexError, RuntimeError) as error:
        raise Malformed("truncated frame") from error


@dataclass(frozen=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: str  # JSON text; "null" removes the client


def parse_awareness(payload: bytes) -> list[AwarenessEntry]:
    try:
        decoder = Decoder(payload)
        count = decoder.read_var_uint()
        if count > 1000:
            raise Malformed("too many awareness entries")
        entries = []
        for _ in range(count):
            client_id = decoder.read_var_uint()
            clock = decoder.read_var_uint()
            state = decoder.read_var_string()
            json.loads(state)
            entries.append(AwarenessEntry(client_id, clock, state))
        if decoder.length != 0:
            raise Malformed("trailing bytes after awareness entries")
        return entries
    except (IndexError, RuntimeError, UnicodeDecodeError, ValueError) as error:
        if isinstance(error, Malformed):
            raise
        raise Malformed("malformed awareness update") from error


def encode_awareness(entries: list[AwarenessEntry]) -> bytes:
    """An awareness update payload (wrap with create_awareness_message to send)."""
    parts = [write_var_uint(len(entries))]
    for entry in entries:
        state = entry.state.encode()
        parts += [
            write_var_uint(entry.client_id),
            write_var_uint(entry.clock),
            write_var_uint(len(state)),
            state,
        ]
    return b"".join(parts)
