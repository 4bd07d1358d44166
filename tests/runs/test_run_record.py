"""A run is part of the record: its `run` event, in both exports, with the output as it was."""

import json
from io import StringIO

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command

from tests.runs.conftest import HIDDEN, finished

pytestmark = pytest.mark.django_db(transaction=True)


def export(room_id: str, form: str) -> str:
    out = StringIO()
    call_command("export_transcript", room_id, "--format", form, stdout=out)
    return out.getvalue()


async def test_runs_are_in_both_exports_with_their_output(run_room, local_server):
    code = "def double(n):\n    print('doubling', n)\n    return 2 * n\n"
    run_room.set_code(run_room.python, code)
    candidate = await run_room.client(local_server, "candidate")
    interviewer = await run_room.client(local_server, "interviewer")
    await candidate.send({"type": "code.run", "question": run_room.python, "mode": "tests"})
    visible = (await candidate.next("run.started"))["run"]
    await finished(candidate, visible)
    await interviewer.send({"type": "code.run", "question": run_room.python, "mode": "hidden"})
    hidden = (await interviewer.next("run.started", mode="hidden"))["run"]
    await finished(interviewer, hidden)

    transcript = json.loads(await database_sync_to_async(export)(run_room.id, "json"))
    runs = [e for e in transcript["events"] if e["type"] == "run"]
    assert [r["data"]["run"] for r in runs] == [visible, hidden]
    first = runs[0]["data"]
    assert first["mode"] == "tests" and first["tests"]["passed"] == 1
    assert first["stdout"].startswith("doubling 2\n") and first["title"]
    assert runs[0]["actor"] == run_room.created.seats["candidate"].id
    # The exports are the interviewers' (and the operator's): hidden results are in them.
    assert HIDDEN in runs[1]["data"]["tests"]["results"][0]["name"]

    markdown = await database_sync_to_async(export)(run_room.id, "md")
    runs_section = markdown.split("## Runs", 1)[1].split("## Timeline", 1)[0]
    assert "ran the tests of" in runs_section and "1 passed, 1 failed" in runs_section
    assert "FAIL doubles zero" in runs_section and "doubling 2" in runs_section
    assert "ran the hidden tests of" in runs_section
    timeline = markdown.split("## Timeline", 1)[1]
    assert timeline.count("ran the") == 2


async def test_a_room_without_runs_says_so(run_room):
    markdown = await database_sync_to_async(export)(run_room.id, "md")
    assert "## Runs\n\nNo runs." in markdown
