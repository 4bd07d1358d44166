"""Database work of the document channel that needs Django's connection, on dedicated threads:
folding snapshots, and every read and write on the embedded default (SQLite). On PostgreSQL
the hot path runs on the event loop instead (editor.loopdb).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import Error as DatabaseError
from django.db import close_old_connections, connection

T = TypeVar("T")

WRITES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="doc-writes")
READS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="doc-reads")
FOLDS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="doc-folds")  # snapshots


def _with_fresh_connection(function: Callable[[], T]) -> T:
    """Run with a usable connection; after a database restart, reconnect and try once more."""
    close_old_connections()
    try:
        return function()
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        return function()


async def run(executor: ThreadPoolExecutor, function: Callable[[], T]) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, _with_fresh_connection, function)
