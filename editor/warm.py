"""Warm a server process up as it starts: its first joins should not wait for connections.

A process opens its database connections when first needed, and pycrdt's first document in
a process costs 40 to 60 ms however small it is (building the same 50,000-update room's
document took 42 ms the first time, 3 ms after); so the first person to join after a start or
a restart (a rolling deploy sends hundreds at once) waited for all of that: 194 to 240 ms
against about 35 ms for the next joins.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from django.db import connection
from pycrdt import Doc, Text

from editor.store import docstore

log = logging.getLogger(__name__)


async def warm_up() -> None:
    """Build a first document, and open the connections a join uses: the document store's
    and Django's (seat checks)."""
    doc: Doc = Doc()
    doc["code"] = text = Text()
    text += "print('warm')"
    Doc().apply_update(doc.get_update())
    try:
        await docstore().last_ids(["warm-up"])
        await database_sync_to_async(_open_django_connection)()
    except Exception:  # a database still starting: the first join opens them as before
        log.warning("warming up the database connections failed", exc_info=True)


def _open_django_connection() -> None:
    # Looked up here, on the database thread: `connection` names each thread's own.
    connection.ensure_connection()
