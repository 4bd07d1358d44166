"""Where runs execute: this process's own pool, or runner workers fed by a Redis Stream.

- `local` (the embedded default, settings.RUNNER_QUEUE): asyncio tasks of the server process,
  RUNNER_CONCURRENCY at a time, in the order submitted (asyncio's semaphore is first come,
  first served).
- `redis`: jobs are XADDed to one stream; `manage.py run_worker` processes read it through a
  consumer group, each taking a job only when it has a free slot (no worker hoards jobs), so
  jobs start in the order submitted. A worker re-claims its running jobs every BEAT_S, which
  keeps their pending entries fresh; an entry idle for DEAD_S belongs to a worker that died,
  and the first worker to notice (XAUTOCLAIM) ends that run as failed. Stop requests travel
  on a pub/sub channel to whichever worker holds the run.

Fair order across rooms: jobs start first come, first served, and the submitter keeps at most
two runs per room at a time (the room's, and the interviewers' hidden tests), so a busy room
cannot starve others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from typing import Any

from django.conf import settings
from redis.exceptions import ResponseError

from config.per_loop import PerLoop
from relay import redis
from runner.jobs import Ending, Job, execute, reporter
from runner.results import RunResult

log = logging.getLogger(__name__)

GROUP = "workers"
BEAT_S = 1.0  # a worker refreshes its running jobs' entries and its own liveness this often
DEAD_S = 4.0  # an entry nobody refreshed for this long belongs to a dead worker
ALIVE_S = 10.0  # a worker seen within this long is up
BLOCK_S = 1.0
MAX_LEN = 100_000  # the stream is trimmed past this (entries are deleted once done anyway)


def _names() -> tuple[str, str, str]:
    prefix = getattr(settings, "CHANNEL_PREFIX", "room")
    return f"{prefix}.runner.jobs", f"{prefix}.runner.stop", f"{prefix}.runner.workers"


def uses_workers() -> bool:
    return bool(settings.RUNNER_QUEUE == "redis")


async def submit(job: Job) -> None:
    """Queue `job`; it runs as soon as a slot is free, its reporter hears the rest."""
    if uses_workers():
        stream, _, _ = _names()
        await _client().xadd(stream, {"job": job.encode()}, maxlen=MAX_LEN, approximate=True)
    else:
        local_pool().submit(job)


async def stop(run: str) -> None:
    """Stop the run wherever it runs (nothing happens if it already ended)."""
    local_pool().stop(run)
    if uses_workers():
        _, channel, _ = _names()
        await _client().publish(channel, run)


async def workers_up() -> bool:
    """Whether a runner worker was alive lately (always true for the local pool)."""
    if not uses_workers():
        return True
    _, _, workers = _names()
    return bool(await _client().zcount(workers, time.time() - ALIVE_S, "+inf"))


# --- the local pool -------------------------------------------------------------------------


class LocalPool:
    def __init__(self, size: int) -> None:
        self.slots = asyncio.Semaphore(size)
        self.tasks: dict[str, asyncio.Task[Any]] = {}

    def submit(self, job: Job) -> None:
        task = asyncio.get_running_loop().create_task(self._one(job))
        self.tasks[job.run] = task
        task.add_done_callback(lambda _: self.tasks.pop(job.run, None))

    async def _one(self, job: Job) -> None:
        async with self.slots:
            await execute(job)

    def stop(self, run: str) -> None:
        task = self.tasks.get(run)
        if task is not None:
            task.cancel()


_pools = PerLoop(lambda: LocalPool(settings.RUNNER_CONCURRENCY))
_clients: PerLoop[Any] = PerLoop(lambda: redis.client(settings.REDIS_URL))


def local_pool() -> LocalPool:
    return _pools.get()


def _client() -> Any:
    return _clients.get()


# --- the worker -----------------------------------------------------------------------------


class Worker:
    """One `manage.py run_worker` process: `concurrency` runs at a time from the stream."""

    def __init__(self, concurrency: int, name: str = "") -> None:
        self.stream, self.stop_channel, self.workers = _names()
        self.name = name or f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:6]}"
        self.slots = asyncio.Semaphore(concurrency)
        self.redis: Any = redis.client(settings.REDIS_URL, blocking_s=BLOCK_S)
        self.entries: dict[str, Job] = {}  # stream entry id -> its job, while it runs
        self.runs: dict[str, asyncio.Task[Any]] = {}  # run id -> its task
        self.stopping = asyncio.Event()

    async def serve(self) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        chores = [asyncio.create_task(work()) for work in (self._beat, self._listen_stops)]
        log.warning("runner worker %s serving %s", self.name, self.stream)
        try:
            await self._take_jobs()
        finally:
            for chore in chores:
                chore.cancel()
            if self.runs:  # finish what runs (a stop request still stops one)
                await asyncio.wait(list(self.runs.values()), timeout=30)
            await self.redis.zrem(self.workers, self.name)
            await self.redis.aclose()

    async def _take_jobs(self) -> None:
        while not self.stopping.is_set():
            await self.slots.acquire()
            try:
                reply = await self.redis.xreadgroup(
                    GROUP, self.name, {self.stream: ">"}, count=1, block=int(BLOCK_S * 1000)
                )
            except Exception as error:  # Redis restarting: try again shortly
                self.slots.release()
                log.warning("runner worker: reading jobs failed: %r", error)
                await asyncio.sleep(0.5)
                continue
            entries = [entry for _, batch in reply or [] for entry in batch]
            if not entries:
                self.slots.release()
                continue
            for entry_id, fields in entries:
                asyncio.create_task(self._run(_text(entry_id), fields))

    async def _run(self, entry_id: str, fields: dict[bytes, bytes]) -> None:
        try:
            job = Job.decode(fields[b"job"])
        except Exception:
            log.warning("runner worker: dropped a malformed job %s", entry_id)
            await self._done(entry_id)
            self.slots.release()
            return
        self.entries[entry_id] = job
        task = asyncio.create_task(execute(job))
        self.runs[job.run] = task
        try:
            await asyncio.wait([task])
        finally:
            self.runs.pop(job.run, None)
            self.entries.pop(entry_id, None)
            self.slots.release()
            await self._done(entry_id)

    async def _done(self, entry_id: str) -> None:
        try:
            await self.redis.xack(self.stream, GROUP, entry_id)
            await self.redis.xdel(self.stream, entry_id)
        except Exception as error:  # left pending: a sweep finds it done-but-unacked later
            log.warning("runner worker: could not acknowledge %s: %r", entry_id, error)

    async def _beat(self) -> None:
        """Say this worker lives, keep its running jobs' entries fresh, end dead workers' runs."""
        while True:
            try:
                await self.redis.zadd(self.workers, {self.name: time.time()})
                if self.entries:
                    await self.redis.xclaim(
                        self.stream, GROUP, self.name, 0, list(self.entries), justid=True
                    )
                await self._sweep()
            except Exception as error:
                log.warning("runner worker: beat failed: %r", error)
            await asyncio.sleep(BEAT_S)

    async def _sweep(self) -> None:
        """Runs whose worker died: their entries went idle. Each ends as failed, once (the
        claim moves the entry to this worker; two sweepers never both get it)."""
        _, claimed, *_ = await self.redis.xautoclaim(
            self.stream, GROUP, self.name, int(DEAD_S * 1000), "0-0", count=20
        )
        for entry_id, fields in claimed:
            entry = _text(entry_id)
            if entry in self.entries:
                continue
            if fields:
                with contextlib.suppress(Exception):
                    job = Job.decode(fields[b"job"])
                    log.warning("runner worker: run %s lost its worker", job.run)
                    failure = "the runner process running this stopped unexpectedly"
                    await reporter().finished(job, Ending(RunResult(None, "", ""), failure=failure))
            await self._done(entry)

    async def _listen_stops(self) -> None:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(self.stop_channel)
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            except Exception as error:
                log.warning("runner worker: stop channel failed: %r", error)
                await asyncio.sleep(0.5)
                continue
            if message and message["type"] == "message":
                task = self.runs.get(_text(message["data"]))
                if task is not None:
                    task.cancel()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
