"""Limits of the document channel (each breach closes with a code; nothing is stored)."""

from django.conf import settings

from editor.access import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_ROOM_ENDED

MAX_DOC_BYTES = 8 * 1024 * 1024  # the stored state of one room
# One frame may carry a whole document (a reconnecting browser's offline edits, a late
# joiner's sync); the server's own message limit is above it (config.serve), so ours answers.
MAX_FRAME_BYTES = MAX_DOC_BYTES
UPDATES_PER_S = 60  # sustained per connection; beyond it the connection is slowed, not cut
UPDATES_BURST = 300
SYNCS_PER_S = 1  # sync requests: a client asks on connect and every few seconds
SYNCS_BURST = 10  # beyond, requests are ignored (each answer may be the whole document)
AWARENESS_PER_S = 20  # cursor moves; beyond, the latest waits for its turn
AWARENESS_BURST = 40
CONNECTIONS_PER_SEAT = 10  # open document connections of one seat on one server process
RESYNC_S: float = settings.DOC_RESYNC_S  # how often a process checks its rooms against the log
RELAY_WAIT_S = 0.3  # an update that came before its predecessor waits this long for it
SHOW_EARLY: bool = settings.EDITOR_SHOW == "early"  # others see an update before its commit

CLOSE_MALFORMED = 4400
CLOSE_TOO_LARGE = 4413
CLOSE_TOO_MANY = 4429  # this seat has too many connections open here
CLOSE_NOT_STORED = 4500  # not stored (the database refused it, a server error): sync again

__all__ = ["CLOSE_FORBIDDEN", "CLOSE_NOT_FOUND", "CLOSE_ROOM_ENDED"]
