"""One object per running event loop (config.per_loop): the last loop's object is kept at hand,
yet a new loop, a loop in another thread, or no loop at all is never handed it."""

import asyncio
import threading

import pytest

from config.per_loop import PerLoop


def test_each_loop_gets_its_own_object_however_they_follow_each_other():
    objects = PerLoop(object)

    async def twice() -> object:
        first = objects.get()
        await asyncio.sleep(0)
        assert objects.get() is first
        return first

    first_loop = asyncio.new_event_loop()  # kept alive: its object must not be handed on
    one = first_loop.run_until_complete(twice())
    two = asyncio.run(twice())  # the same thread, a new loop
    assert one is not two

    in_thread: list[object] = []

    async def hold_while_another_runs(started: threading.Event, done: threading.Event) -> None:
        in_thread.append(objects.get())
        started.set()
        while not done.is_set():
            await asyncio.sleep(0.01)
        in_thread.append(objects.get())

    async def main() -> object:
        mine = objects.get()
        started, done = threading.Event(), threading.Event()
        worker = threading.Thread(
            target=asyncio.run, args=(hold_while_another_runs(started, done),)
        )
        worker.start()
        await asyncio.to_thread(started.wait)
        assert objects.get() is mine  # the other thread's loop asked last: not handed over
        done.set()
        await asyncio.to_thread(worker.join)
        assert objects.get() is mine
        return mine

    mine = asyncio.run(main())
    assert in_thread[0] is in_thread[1]  # the other thread's loop kept its own throughout
    assert len({id(one), id(two), id(mine), id(in_thread[0])}) == 4
    with pytest.raises(RuntimeError):
        objects.get()  # no loop runs here
    first_loop.close()
