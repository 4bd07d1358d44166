"""`manage.py export_transcript ROOM [--format json|md] [--at ISO8601]`."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from rooms.models import new_room_id
from tests import servers
from tests.review.conftest import FIZZ_FINAL, TWO_SUM_AT
from tests.review.test_transcript import expected_json


def export(*args):
    out = io.StringIO()
    call_command("export_transcript", *args, stdout=out)
    return out.getvalue()


def test_json_by_default(scripted):
    assert json.loads(export(scripted.room.id)) == expected_json(scripted)


def test_json_at_an_instant(scripted):
    data = json.loads(export(scripted.room.id, "--at", "2026-11-25T10:02:00Z"))
    assert data == expected_json(scripted, TWO_SUM_AT[120], "", "2026-11-25T10:02:00.000Z")


@pytest.mark.parametrize(
    "at, two_sum, fizz",
    [
        ("2026-11-25T10:00:19Z", TWO_SUM_AT[19], ""),
        ("2026-11-25T10:02:00+00:00", TWO_SUM_AT[120], ""),
        ("2026-11-25T11:02:30+01:00", TWO_SUM_AT[150], ""),  # the same instant in another zone
        ("2026-11-25T10:03:20", TWO_SUM_AT[150], FIZZ_FINAL),  # no zone: UTC
    ],
)
def test_code_at_instants(scripted, at, two_sum, fizz):
    data = json.loads(export(scripted.room.id, "--at", at))
    assert [q["code"] for q in data["questions"]] == [two_sum, fizz]


def test_markdown(scripted):
    text = export(scripted.room.id, "--format", "md")
    assert text.startswith("# Transcript: Backend screen\n")
    assert "```python\ndef fizz_buzz():\n    return 'fizz'\n# edge cases?\n```" in text
    at = export(scripted.room.id, "--format", "md", "--at", "2026-11-25T10:01:30Z")
    assert "- Code as it stood at 2026-11-25T10:01:30.000Z" in at
    assert "```python\ndef two_sum(nums, target):\n    seen = {}\n```" in at


@pytest.mark.parametrize("at", ["yesterday", "2026-02-30T10:00:00Z", ""])
def test_bad_instant_is_a_clear_error(scripted, at):
    with pytest.raises(CommandError, match="is not an ISO 8601 instant"):
        export(scripted.room.id, "--at", at)


def test_unknown_room_exits_non_zero_with_a_message(db):
    env = {**os.environ, "DATABASE_URL": servers.test_database_url()}
    done = subprocess.run(
        [sys.executable, "manage.py", "export_transcript", "no-such-room"],
        cwd=servers.ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "no room 'no-such-room'" in done.stderr and done.stdout == ""


def test_room_ids_never_look_like_an_option():
    # A leading "-" would make `export_transcript ROOM` read the id as an option.
    assert not any(new_room_id().startswith("-") for _ in range(2000))
