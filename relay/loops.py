"""Reaching the server's event loop from Django's sync code (actions, views, commands).

An action commits in a worker thread of the server; what it tells the room must be sent from
the event loop, where the connections live. `run_soon` hands the work over without waiting
(waiting could deadlock: the work may need that very worker thread for a database call) and
in a clean context (a task must not inherit the worker's, whose executor ends with it).
Outside a server (a management command, a test's own code) there is no such loop: the work
runs to its end on a loop of its own, in a thread of its own, and the relay it used is closed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[], Awaitable[T]]

_tasks: set[asyncio.Task[Any]] = set()


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop whose worker thread this is, if it is one."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(local, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


def run_soon(work: Work[Any]) -> None:
    """Run `work()` on the server's loop without waiting; elsewhere, run it to its end."""
    loop = server_loop()
    if loop is None:
        run_apart(work)
        return

    def start() -> None:
        task = loop.create_task(_logged(work))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    loop.call_soon_threadsafe(start, context=contextvars.Context())


def run_now(work: Work[T]) -> T:
    """Run `work()` on the server's loop and wait for its result (for work that never needs
    Django's worker thread); elsewhere, run it to its end apart."""
    loop = server_loop()
    if loop is None:
        return run_apart(work)
    result: concurrent.futures.Future[T] = concurrent.futures.Future()

    def done(task: asyncio.Task[T]) -> None:
        if task.cancelled():
            result.set_exception(asyncio.CancelledError())
        elif task.exception() is not None:
            result.set_exception(task.exception())  # type: ignore[arg-type]
        else:
            result.set_result(task.result())

    def start() -> None:
        loop.create_task(_clean(work)).add_done_callback(done)

    loop.call_soon_threadsafe(start, context=contextvars.Context())
    return result.result()


def run_apart(work: Work[T]) -> T:
    """On a loop and thread of its own (safe whatever runs in the calling thread)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _finish(work)).result()


async def _clean(work: Work[T]) -> T:
    return await work()


async def _finish(work: Work[T]) -> T:
    from relay import relay

    try:
        return await work()
    finally:
        await relay().close()  # this loop ends here: what it published goes out first


async def _logged(work: Work[Any]) -> None:
    try:
        await work()
    except Exception:
        log.exception("work handed to the server's loop failed")
