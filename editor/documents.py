"""The editor's service for the rest of the server: what other apps may ask of a room's document.

Plain functions, callable from views, actions, commands and tests (sync), so no other app
needs to know how the document is stored, cached or relayed:

- `insert_text`: the server puts text into a never-written Y.Text (a question's starter code);
- `code_now` / `code_at`: each named Y.Text's code now, or as it stood at an instant;
- `update_log` / `checkpoints`: the log itself, for replaying it in a browser;
- `access_changed`: who may read or write the room changed; open connections learn at once;
- `fold_log`: an old room's keystrokes folded into checkpoints (editor.retention);
- `delete`: the room is gone, and its document with it.
"""

from __future__ import annotations

from editor import playback, retention
from editor.hub import STORED, hub
from editor.models import DocSnapshot, DocUpdate
from editor.playback import LoggedUpdate
from editor.store import new_store
from relay import relay
from relay.loops import run_now, run_soon

__all__ = ["LoggedUpdate", "code_at", "code_now", "update_log"]

code_at = playback.code_at
code_now = playback.code_now
update_log = playback.update_log
checkpoints = playback.checkpoints
fold_log = retention.fold_log
Folded = retention.Folded


def insert_text(room_id: str, name: str, text: str) -> bool:
    """Put `text` into the Y.Text `name` if nobody ever wrote to it, stored as an update of the
    server's own, and have every open copy of the room read it. Never doubles the text, however
    many callers race. True if it was inserted."""
    return run_now(lambda: insert_text_async(room_id, name, text))


async def insert_text_async(room_id: str, name: str, text: str) -> bool:
    store = new_store()  # its own connection: the caller may be inside a transaction
    try:
        stored = await store.insert_text(room_id, name, text)
    finally:
        await store.close()
    if stored is None:
        return False
    room = hub().rooms.get(room_id)
    if room is not None:
        await room.refresh()
    relay().publish(room_id, STORED)
    return True


def access_changed(room_id: str) -> None:
    """Who may read or write this room's document changed (a seat revoked, the room ended,
    roles swapped): every open connection of the room, on every process, is asked again."""
    run_soon(lambda: hub().access_changed(room_id))


async def access_changed_async(room_id: str) -> None:
    await hub().access_changed(room_id)


def delete(room_id: str) -> None:
    """Forget the room's document (its room is being deleted)."""
    DocSnapshot.objects.filter(room_id=room_id).delete()
    DocUpdate.objects.filter(room_id=room_id).delete()
