"""What a connection may say in awareness (who is here, their name, colour and cursor).

Awareness is relayed to every client of the room and kept for newcomers, so a bad entry
poisons everyone: a client id a JavaScript client cannot hold (2^53 and up: the npm client
stops syncing, "Integer out of Range"), a huge state, or a colour string that the editor
puts into a caret's CSS. A connection speaks only for its own client, at a bounded rate and
size, with a plain name and a hex colour.
"""

from __future__ import annotations

import json
import re
from typing import Any

from editor.protocol import AwarenessEntry, Malformed, parse_awareness

MAX_SAFE = 2**53 - 1  # JavaScript's largest exact integer: client ids and clocks stay below
MAX_STATE_BYTES = 4096  # a name, two colours and a cursor take a few hundred
MAX_NAME_CHARS = 80
COLOR = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Refused(Malformed):
    """An awareness entry no client should receive."""


def check(entry: AwarenessEntry) -> None:
    """Raise Refused unless every client may safely receive this entry."""
    if entry.client_id > MAX_SAFE or entry.clock > MAX_SAFE:
        raise Refused("awareness client id or clock out of range")
    if entry.state == "null":
        return
    if len(entry.state.encode()) > MAX_STATE_BYTES:
        raise Refused(f"awareness state over {MAX_STATE_BYTES} bytes")
    state = json.loads(entry.state)
    if not isinstance(state, dict):
        raise Refused("awareness state must be an object or null")
    _check_user(state.get("user"))


def _check_user(user: Any) -> None:
    if user is None:
        return
    if not isinstance(user, dict):
        raise Refused("awareness user must be an object")
    name = user.get("name")
    if name is not None and (
        not isinstance(name, str) or len(name) > MAX_NAME_CHARS or CONTROL.search(name)
    ):
        raise Refused(f"awareness user.name must be plain text of at most {MAX_NAME_CHARS}")
    for key in ("color", "colorLight"):
        value = user.get(key)
        if value is not None and (not isinstance(value, str) or not COLOR.fullmatch(value)):
            raise Refused(f"awareness user.{key} must be a hex colour like #30bced")


def safe_entries(payload: bytes) -> list[AwarenessEntry]:
    """The entries of an awareness payload that every client may receive (others dropped)."""
    try:
        entries = parse_awareness(payload)
    except Malformed:
        return []
    safe = []
    for entry in entries:
        try:
            check(entry)
        except (Refused, ValueError):
            continue
        safe.append(entry)
    return safe
