"""Limits of the document channel (each breach closes with a code; nothing is stored)."""

from django.conf import settings

MAX_FRAME_BYTES = 1_000_000  # one frame; under daphne's own 1 MiB cap, so ours answers first
MAX_DOC_BYTES = 8 * 1024 * 1024  # the stored state of one room
UPDATES_PER_S = 60  # sustained per connection; beyond it the connection is slowed, not cut
UPDATES_BURST = 300
RESYNC_S: float = settings.DOC_RESYNC_S  # how often a process checks its rooms against the log
RELAY_WAIT_S = 0.3  # an update that came before its predecessor waits this long for it
REDIS_TIMEOUT_S = 2.0  # a relay call to Redis taking longer is given up (Redis hanging)
RELAY_OUTBOX = 10_000  # relays of a process waiting for Redis; beyond, new ones are dropped

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_MALFORMED = 4400
CLOSE_TOO_LARGE = 4413
CLOSE_ROOM_ENDED = 4410
CLOSE_NOT_STORED = 1011  # the database refused the write: reconnect and sync again
