"""Group commit of document updates: durable in PostgreSQL before anyone sees them.

Updates queue up while a batch is being written; the next batch takes all of them in one
transaction. Under load batches grow, so throughput scales without ever skipping durability.
"""

from __future__ import annotations

import asyncio
import functools
import weakref

from editor import dbthread, store


class UpdateWriter:
    def __init__(self) -> None:
        self.queue: list[tuple[store.PendingUpdate, asyncio.Future[int]]] = []
        self.wakeup = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def write(self, pending: store.PendingUpdate) -> int:
        """Returns the stored update's id once it is committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.queue.append((pending, future))
        self.wakeup.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            batch, self.queue = self.queue, []
            if not batch:
                continue
            updates = [pending for pending, _ in batch]
            try:
                write = functools.partial(store.append_updates, updates)
                ids = await dbthread.run(dbthread.WRITES, write)
            except Exception as error:  # every waiter learns its update was not stored
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), update_id in zip(batch, ids, strict=True):
                if not future.done():
                    future.set_result(update_id)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, UpdateWriter] = (
    weakref.WeakKeyDictionary()
)


def writer() -> UpdateWriter:
    """The writer of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    if loop not in _writers or _writers[loop].task.done():
        _writers[loop] = UpdateWriter()
    return _writers[loop]
