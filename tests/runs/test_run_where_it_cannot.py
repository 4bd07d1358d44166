"""Where code cannot run safely, Run says why and nothing runs; the embedded default (SQLite,
no Redis, one process) runs Python in its own pool and says SQL needs PostgreSQL."""

import json
import os

import pytest
from channels.db import database_sync_to_async

from rooms.models import Run
from tests.control_client import ControlClient
from tests.runs.conftest import make_run_room
from tests.servers import DaphneServer
from tests.test_embedded_default import manage

PYTHON_SLUG = "coding-two-sum"
SQL_SLUG = "postgresql-top-n"


@pytest.mark.django_db(transaction=True)
async def test_without_the_sandbox_run_is_off_and_says_why(daphne_servers):
    server = daphne_servers(env={"RUNNER_QUEUE": "local", "SANDBOX_BWRAP": "/nonexistent/bwrap"})
    room = await database_sync_to_async(make_run_room)()
    room.set_code(room.python, "open('/tmp/proof', 'w')\n")
    candidate = await room.client(server, "candidate")
    runner = candidate.of("room.state")[0]["runner"]
    assert not runner["available"] and "bubblewrap" in runner["why"]
    await candidate.send({"type": "code.run", "question": room.python, "mode": "run"})
    refused = await candidate.next("error")
    assert refused["code"] == "unavailable" and "bubblewrap" in refused["message"]
    assert not [f for f in candidate.frames if f["type"].startswith("run.")]
    assert await database_sync_to_async(Run.objects.count)() == 0


async def test_the_embedded_default_runs_python_in_its_own_process(tmp_path):
    database = tmp_path / "db.sqlite3"
    embedded = {
        **os.environ,
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "RUNNER_QUEUE": "",
        "SQLITE_PATH": str(database),
    }
    embedded.pop("SANDBOX_ADMIN_DATABASE_URL", None)
    manage(embedded, "migrate", "--noinput", "-v", "0")
    manage(
        embedded, "load_questions", "questions/bank/coding.yaml", "questions/bank/postgresql.yaml"
    )
    room = json.loads(manage(embedded, "create_room", "--interviewer", "alice"))
    server = DaphneServer(env=embedded).start()
    try:
        url = f"{server.ws_url}/ws/rooms/{room['room']}/?token="
        interviewer = await ControlClient(url + room["tokens"]["interviewer"]).connect()
        candidate = await ControlClient(url + room["tokens"]["candidate"]).connect()
        assert candidate.of("room.state")[0]["runner"]["available"]
        assert "PostgreSQL" in candidate.of("room.state")[0]["runner"]["sql_why"]
        await interviewer.send({"type": "question.show", "question": PYTHON_SLUG})
        python = (await candidate.next("question.shown"))["question"]
        await candidate.send({"type": "code.run", "question": python["id"], "mode": "tests"})
        run = (await candidate.next("run.started"))["run"]
        end = await interviewer.next("run.finished", timeout=30, run=run)
        assert end["tests"]["results"] and end["failure"] == ""
        await interviewer.send({"type": "question.show", "question": SQL_SLUG})
        sql = (await candidate.next("question.shown"))["question"]
        await candidate.send({"type": "code.run", "question": sql["id"], "mode": "run"})
        refused = await candidate.next("error")
        assert refused["code"] == "unavailable" and "PostgreSQL" in refused["message"]
        await interviewer.disconnect()
        await candidate.disconnect()
    finally:
        server.stop()
