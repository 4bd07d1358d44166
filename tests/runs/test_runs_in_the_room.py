"""Run, Run tests and Run hidden tests in a room, over the control channel of a real daphne
process that runs code in its own pool (the embedded default's way)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from rooms import actions
from rooms.models import RoomEvent, Run, RunOutput
from tests.runs.conftest import HIDDEN, finished, run_frames

pytestmark = pytest.mark.django_db(transaction=True)

STREAMING = "import time\nprint('first', flush=True)\ntime.sleep(0.6)\nprint('second')\n"


async def test_run_streams_output_to_everyone_and_is_recorded(run_room, local_server):
    run_room.set_code(run_room.python, STREAMING)
    interviewer, candidate, observer = await run_room.everyone(local_server)
    # The frame's own code is ignored: what runs is the shared editor's.
    await candidate.send(
        {"type": "code.run", "question": run_room.python, "mode": "run", "code": "print(666)"}
    )
    started = await observer.next("run.started")
    run = started["run"]
    assert started["mode"] == "run" and started["question"] == run_room.python
    assert started["by"] == run_room.created.seats["candidate"].id
    for client in (interviewer, candidate, observer):
        first = await client.next("run.output", run=run)
        # Streamed: the first line arrives while the program still sleeps.
        assert first["data"] == "first\n" and first["stream"] == "stdout"
        assert not client.of("run.finished")
    for client in (interviewer, candidate, observer):
        end = await finished(client, run)
        printed = "".join(f["data"] for f in client.of("run.output") if f["run"] == run)
        assert printed == "first\nsecond\n" and "666" not in printed
        assert (end["exit_code"], end["timed_out"], end["truncated"]) == (0, False, False)
        assert end["duration_ms"] >= 600 and end["tests"] is None
        assert [f["status"] for f in client.of("run.state")] == ["queued", "running"]
    event = await database_sync_to_async(RoomEvent.objects.get)(type="run")
    assert event.actor_id == run_room.created.seats["candidate"].id
    assert event.data["stdout"] == "first\nsecond\n" and event.data["exit_code"] == 0
    assert (event.data["mode"], event.data["question"]) == ("run", run_room.python)
    assert event.data["step"] == 1  # the question has a second step, not shown


async def test_who_joins_mid_run_sees_what_it_printed_so_far(run_room, local_server):
    run_room.set_code(run_room.python, STREAMING)
    candidate = await run_room.client(local_server, "candidate")
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    run = (await candidate.next("run.started"))["run"]
    await candidate.next("run.output", run=run)  # "first", while the program sleeps
    observer = await run_room.client(local_server, "observer")
    (state,) = observer.of("room.state")
    assert state["run"]["run"] == run and state["run"]["output"] == [["stdout", "first\n"]]
    # The rest arrives as it is printed, numbered after what the state held.
    rest = await observer.next("run.output", run=run)
    assert (rest["data"], rest["seq"]) == ("second\n", 1)
    await finished(observer, run)
    # Once it has ended, its `run` event holds the output: nothing else keeps it.
    assert await database_sync_to_async(RunOutput.objects.count)() == 0
    late = await run_room.client(local_server, "observer")
    assert late.of("room.state")[0]["run"] is None


REFUSE_OUTPUT = """
CREATE FUNCTION refuse_run_output() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
CREATE TRIGGER refuse_run_output BEFORE INSERT ON rooms_runoutput
FOR EACH ROW EXECUTE FUNCTION refuse_run_output();
"""


async def test_output_not_kept_still_streams_to_the_room(run_room, local_server):
    """PostgreSQL refusing to keep a chunk costs only a joiner's view of it: the room sees it
    live and the run ends as usual, its event holding all it printed."""
    run_room.set_code(run_room.python, STREAMING)
    await database_sync_to_async(_execute)(REFUSE_OUTPUT)
    try:
        candidate = await run_room.client(local_server, "candidate")
        await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
        run = (await candidate.next("run.started"))["run"]
        assert (await candidate.next("run.output", run=run))["data"] == "first\n"
        observer = await run_room.client(local_server, "observer")
        assert observer.of("room.state")[0]["run"]["output"] == []
        assert (await observer.next("run.output", run=run))["data"] == "second\n"
        assert (await finished(candidate, run))["exit_code"] == 0
    finally:
        await database_sync_to_async(_execute)(
            "DROP TRIGGER refuse_run_output ON rooms_runoutput; DROP FUNCTION refuse_run_output()"
        )
    event = await database_sync_to_async(RoomEvent.objects.get)(type="run")
    assert event.data["stdout"] == "first\nsecond\n"
    assert f"output of run {run} not kept" in local_server.output()


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


async def test_visible_tests_reach_everyone_with_each_result(run_room, local_server):
    run_room.set_code(run_room.python, "def double(n):\n    return n * 2\n")
    interviewer, candidate, observer = await run_room.everyone(local_server)
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "tests"})
    run = (await candidate.next("run.started"))["run"]
    for client in (interviewer, candidate, observer):
        tests = (await finished(client, run))["tests"]
        assert (tests["passed"], tests["failed"]) == (1, 1)
        results = {r["name"]: r for r in tests["results"]}
        assert results["doubles two"]["ok"] and not results["doubles zero"]["ok"]
        assert "assert 0 == 1" in results["doubles zero"]["message"]


async def test_hidden_tests_reach_interviewers_only(run_room, local_server):
    run_room.set_code(run_room.python, "def double(n):\n    print('checking', n)\n    return 0\n")
    interviewer, candidate, observer = await run_room.everyone(local_server)
    await interviewer.send({"type": "code.run", "question": run_room.python, "mode": "hidden"})
    run = (await interviewer.next("run.started", mode="hidden"))["run"]
    end = await finished(interviewer, run)
    assert end["tests"]["failed"] == 1 and HIDDEN in end["tests"]["results"][0]["name"]
    assert "HIDDEN-MSG" in end["tests"]["results"][0]["message"]
    assert any("checking" in f["data"] for f in interviewer.of("run.output"))
    # The others heard nothing of it, in any frame; a late joiner neither.
    await candidate.send({"type": "ping", "t": 1})
    await observer.send({"type": "ping", "t": 1})
    await candidate.next("pong")
    await observer.next("pong")
    late = await run_room.client(local_server, "candidate")
    for client in (candidate, observer, late):
        assert run_frames(client) == []
        assert HIDDEN not in str(client.frames) and "HIDDEN-MSG" not in str(client.frames)
        assert run not in str(client.frames)


async def test_the_hidden_tests_take_a_place_of_their_own(run_room, local_server):
    """A candidate who presses Run while the interviewers' hidden tests run is not refused: the
    refusal would tell them the hidden run exists. Each place still holds one run at a time."""
    run_room.set_code(
        run_room.python, "import time\ntime.sleep(2)\ndef double(n):\n    return 2*n\n"
    )
    interviewer, candidate, observer = await run_room.everyone(local_server)
    await interviewer.send({"type": "code.run", "question": run_room.python, "mode": "hidden"})
    hidden = (await interviewer.next("run.started", mode="hidden"))["run"]
    await interviewer.send({"type": "code.run", "question": run_room.python, "mode": "hidden"})
    busy = await interviewer.next("error")
    assert busy["code"] == "rate_limited" and "hidden tests" in busy["message"]

    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "tests"})
    mine = (await candidate.next("run.started"))["run"]
    # While both are under way, someone joining sees what their role may: an interviewer both.
    late_interviewer = await run_room.client(local_server, "interviewer")
    late_candidate = await run_room.client(local_server, "candidate")
    (state,) = late_interviewer.of("room.state")
    assert (state["run"]["run"], state["hidden_run"]["run"]) == (mine, hidden)
    (state,) = late_candidate.of("room.state")
    assert state["run"]["run"] == mine and "hidden_run" not in state

    for client in (interviewer, candidate, observer):
        tests = (await finished(client, mine))["tests"]
        assert (tests["passed"], tests["failed"]) == (1, 1)  # "doubles zero" fails on purpose
    assert (await finished(interviewer, hidden))["tests"]["passed"] == 1
    for client in (candidate, observer, late_candidate):
        assert client.of("error") == []
        assert hidden not in str(client.frames) and HIDDEN not in str(client.frames)
    # Both places are free again.
    await interviewer.send({"type": "code.run", "question": run_room.python, "mode": "hidden"})
    again = await interviewer.next("run.started", mode="hidden", where=lambda f: f["run"] != hidden)
    assert (await finished(interviewer, again["run"]))["tests"]["failed"] == 0


async def test_who_may_run_what(run_room, local_server):
    run_room.set_code(run_room.python, "print('hi')\n")
    candidate = await run_room.client(local_server, "candidate")
    observer = await run_room.client(local_server, "observer")
    await observer.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    refused = await observer.next("error")
    assert refused["code"] == "forbidden" and "edit" in refused["message"]
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "hidden"})
    refused = await candidate.next("error")
    assert refused["code"] == "forbidden" and "interviewers" in refused["message"]
    for frame, code in [
        ({"question": run_room.python, "mode": "debug"}, "invalid"),
        ({"question": "x", "mode": "run"}, "invalid"),
        ({"question": 999999, "mode": "run"}, "not_found"),
        ({"question": run_room.prose, "mode": "run"}, "invalid"),
        ({"question": run_room.sql, "mode": "hidden", "explain": False}, "forbidden"),
    ]:
        await candidate.send({"type": "code.run", **frame})
        assert (await candidate.next("error"))["code"] == code, frame
    await asyncio.sleep(0.3)
    assert run_frames(candidate) == [] and run_frames(observer) == []
    assert await database_sync_to_async(Run.objects.count)() == 0


async def test_one_run_per_room_and_stop(run_room, local_server):
    run_room.set_code(run_room.python, "import time\nprint('start', flush=True)\ntime.sleep(30)\n")
    interviewer, candidate, observer = await run_room.everyone(local_server)
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    run = (await candidate.next("run.started"))["run"]
    await candidate.next("run.output", run=run)
    # A second run while this one runs is refused, by anyone.
    await interviewer.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    busy = await interviewer.next("error")
    assert busy["code"] == "rate_limited" and "already" in busy["message"]
    # An observer may not stop it; whoever started it may.
    await observer.send({"type": "run.stop", "run": run})
    assert (await observer.next("error"))["code"] == "forbidden"
    await candidate.send({"type": "run.stop", "run": run})
    for client in (interviewer, candidate, observer):
        end = await finished(client, run, timeout=10)
        assert end["stopped"] and end["exit_code"] is None
        assert end["duration_ms"] < 10_000
    event = await database_sync_to_async(RoomEvent.objects.get)(type="run")
    assert event.data["stopped"] and event.data["stdout"] == "start\n"
    await candidate.send({"type": "run.stop", "run": run})
    assert (await candidate.next("error"))["code"] == "invalid"
    # The room runs again; an interviewer may stop someone else's run.
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    again = (await candidate.next("run.started", where=lambda f: f["run"] != run))["run"]
    await candidate.next("run.output", run=again)
    await interviewer.send({"type": "run.stop", "run": again})
    assert (await finished(candidate, again, timeout=10))["stopped"]


async def test_limits_show_on_the_result(run_room, local_server):
    run_room.set_code(run_room.python, "while True:\n    print('x' * 1000)\n")
    candidate = await run_room.client(local_server, "candidate")
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    run = (await candidate.next("run.started"))["run"]
    end = await finished(candidate, run)
    assert end["truncated"] and end["limit"] == "output" and end["output_limit"] == 64 * 1024
    printed = sum(len(f["data"]) for f in candidate.of("run.output") if f["run"] == run)
    assert printed <= 64 * 1024


async def test_sql_runs_as_a_table_and_its_plan(run_room, local_server):
    run_room.set_code(run_room.sql, "SELECT name FROM pets WHERE age > 4")
    candidate = await run_room.client(local_server, "candidate")
    interviewer = await run_room.client(local_server, "interviewer")
    await candidate.send({"type": "code.run", "question": run_room.sql, "mode": "run"})
    run = (await candidate.next("run.started"))["run"]
    end = await finished(interviewer, run)
    assert end["table"]["columns"] == ["name"] and end["table"]["rows"] == [["tom"]]
    await finished(candidate, run)
    await candidate.send(
        {"type": "code.run", "question": run_room.sql, "mode": "run", "explain": True}
    )
    run = (await candidate.next("run.started", where=lambda f: f["run"] != run))["run"]
    plan = (await finished(candidate, run))["table"]["plan"]
    assert "Seq Scan on pets" in plan
    await candidate.send({"type": "code.run", "question": run_room.sql, "mode": "tests"})
    run = (await candidate.next("run.started", mode="tests"))["run"]
    assert (await finished(candidate, run))["tests"]["passed"] == 1


async def test_an_ended_room_runs_nothing(run_room, local_server):
    run_room.set_code(run_room.python, "print('hi')\n")
    interviewer = await run_room.client(local_server, "interviewer")
    await database_sync_to_async(actions.end_room)(run_room.created.seats["interviewer"])
    await interviewer.next("room.state", where=lambda f: f["room"]["status"] == "ended")
    await interviewer.send({"type": "code.run", "question": run_room.python, "mode": "run"})
    assert (await interviewer.next("error"))["code"] == "forbidden"
    assert run_frames(interviewer) == []


async def test_queue_places_across_rooms(transactional_db, local_server):
    """Two slots: two rooms run, the third and fourth wait, told how many are ahead."""
    from tests.runs.conftest import make_run_room

    rooms = [await database_sync_to_async(make_run_room)(title=f"Q{i}") for i in range(4)]
    clients = []
    for room in rooms:
        room.set_code(room.python, "import time\ntime.sleep(1.5)\nprint('done')\n")
        clients.append(await room.client(local_server, "candidate"))
    for room, client in zip(rooms, clients, strict=True):
        await client.send({"type": "code.run", "question": room.python, "mode": "run"})
        await client.next("run.started")
    last = clients[3]
    assert (await last.next("run.finished", timeout=15))["exit_code"] == 0
    states = [(f["status"], f["ahead"]) for f in last.of("run.state")]
    # Two ran while it waited behind the third; then it was next; then it ran.
    assert states[0] == ("queued", 1) and states[-2:] == [("queued", 0), ("running", 0)]
