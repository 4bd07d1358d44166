"""One object per running event loop: a server process runs one loop, the tests many, one after
another, and each loop gets its own (its connections and tasks belong to it).

The last loop's object is kept at hand: asking a WeakKeyDictionary makes a new weak reference
on every lookup, and the relay, the writer and the hub are asked for several times on every
keystroke.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self.make = make
        self.by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )
        self.last: tuple[weakref.ref[asyncio.AbstractEventLoop], T] | None = None

    def get(self) -> T:
        """The running loop's object, made on first use."""
        last = self.last
        if last is not None:
            # A thread runs one loop at a time: the last loop, running in this thread, is the
            # running loop. (get_running_loop makes a getpid system call on every call.)
            known = last[0]()
            if known is not None and getattr(known, "_thread_id", None) == threading.get_ident():
                return last[1]
        loop = asyncio.get_running_loop()
        value = self.by_loop.get(loop)
        if value is None:
            value = self.by_loop[loop] = self.make()
        self.last = (weakref.ref(loop), value)
        return value

    def peek(self) -> T | None:
        """The running loop's object, if it has one."""
        return self.by_loop.get(asyncio.get_running_loop())

    def replace(self) -> T:
        """A new object for the running loop (the old one stopped working)."""
        self.forget()
        return self.get()

    def forget(self) -> T | None:
        """Drop the running loop's object; the next `get` makes a new one."""
        self.last = None
        return self.by_loop.pop(asyncio.get_running_loop(), None)
