"""Runs in runner workers (`manage.py run_worker`), separate from two daphne processes, through
the Redis Stream: output crosses processes, a killed worker's run ends, rooms share fairly."""

import asyncio
import os
import signal

import pytest
from channels.db import database_sync_to_async

from rooms.models import RoomEvent, Run
from tests.runs.conftest import (
    finished,
    make_run_room,
    worker_holding_a_run,
    workers_seen,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_run_in_a_worker_reaches_the_other_process(run_room, daphne_servers, workers):
    one, two = daphne_servers(), daphne_servers()
    workers()
    await workers_seen(1)
    run_room.set_code(run_room.python, "print('hello from a worker')\n")
    candidate = await run_room.client(one, "candidate")
    interviewer = await run_room.client(two, "interviewer")
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    run = (await interviewer.next("run.started"))["run"]
    output = await interviewer.next("run.output", run=run, timeout=15)
    assert output["data"] == "hello from a worker\n"
    assert (await finished(interviewer, run))["exit_code"] == 0
    assert (await finished(candidate, run))["exit_code"] == 0
    event = await database_sync_to_async(RoomEvent.objects.get)(type="run")
    assert event.data["stdout"] == "hello from a worker\n"


async def test_no_worker_up_is_said_and_changes_nothing(run_room, daphne_servers, workers):
    server = daphne_servers()
    run_room.set_code(run_room.python, "print(1)\n")
    candidate = await run_room.client(server, "candidate")
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    refused = await candidate.next("error")
    assert refused["code"] == "unavailable" and "run_worker" in refused["message"]
    assert await database_sync_to_async(Run.objects.count)() == 0


async def test_a_worker_killed_mid_run_ends_its_run_as_failed(run_room, daphne_servers, workers):
    server = daphne_servers()
    workers(), workers()
    await workers_seen(2)
    run_room.set_code(run_room.python, "import time\nprint('on', flush=True)\ntime.sleep(60)\n")
    candidate = await run_room.client(server, "candidate")
    interviewer = await run_room.client(server, "interviewer")
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    run = (await candidate.next("run.started"))["run"]
    await candidate.next("run.output", run=run, timeout=15)
    os.kill(worker_holding_a_run(), signal.SIGKILL)
    # The other worker notices within seconds (the run itself would sleep a minute).
    for client in (candidate, interviewer):
        end = await finished(client, run, timeout=12)
        assert end["failure"] and "stopped unexpectedly" in end["failure"]
        assert end["exit_code"] is None
    event = await database_sync_to_async(RoomEvent.objects.get)(type="run")
    assert event.data["failure"] and event.data["run"] == run
    # The room runs again, on the worker left.
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    again = (await candidate.next("run.started", where=lambda f: f["run"] != run))["run"]
    await candidate.next("run.output", run=again, timeout=15)
    await candidate.send({"type": "run.stop", "run": again})
    assert (await finished(candidate, again))["stopped"]


async def test_a_busy_room_cannot_starve_the_others(transactional_db, daphne_servers, workers):
    """One worker, one run at a time; three rooms each run three times, asking again as soon
    as a run ends; the first room asks for all three at once: the rooms still take turns."""
    server = daphne_servers()
    workers(concurrency=1)
    await workers_seen(1)
    rooms = [await database_sync_to_async(make_run_room)(title=f"F{i}") for i in range(3)]
    clients = []
    for room in rooms:
        room.set_code(room.python, "import time\ntime.sleep(0.3)\nprint('ok')\n")
        clients.append(await room.client(server, "candidate"))

    async def three_runs(room, client) -> None:
        done = 0
        while done < 3:
            for _ in range(3 if client is clients[0] else 1):
                await client.send({"type": "code.run", "question": room.python, "mode": "run"})
            run = (await client.next("run.started", timeout=20))["run"]
            assert (await finished(client, run, timeout=30))["exit_code"] == 0
            done += 1
        assert len(client.of("error")) == (6 if client is clients[0] else 0)

    await asyncio.gather(*(three_runs(r, c) for r, c in zip(rooms, clients, strict=True)))
    order = await database_sync_to_async(
        lambda: list(Run.objects.order_by("started_at").values_list("room_id", flat=True))
    )()
    turns = [order[i : i + 3] for i in range(0, 9, 3)]
    assert all(sorted(turn) == sorted(r.id for r in rooms) for turn in turns), order
