"""`make run` without DATABASE_URL and REDIS_URL: one daphne process on SQLite, no Redis. Two
people's typing still reaches each other and is stored."""

import json
import os
import sqlite3
import subprocess
import sys

from pycrdt import Doc, Text

from tests.editor.yclient import YClient, eventually
from tests.servers import ROOT, DaphneServer


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


async def test_the_embedded_default_keeps_and_shares_the_code(tmp_path):
    database = tmp_path / "db.sqlite3"
    embedded = {"DATABASE_URL": "", "REDIS_URL": "", "SQLITE_PATH": str(database)}
    manage({**os.environ, **embedded}, "migrate", "--noinput", "-v", "0")
    room = json.loads(manage({**os.environ, **embedded}, "create_room", "--interviewer", "alice"))
    server = DaphneServer(env=embedded).start()
    try:
        url = f"{server.ws_url}/ws/doc/{room['room']}?token="
        alice = await YClient(url + room["tokens"]["interviewer"]).connect()
        bob = await YClient(url + room["tokens"]["candidate"]).connect()
        alice.text("solution").insert(0, "hello ")
        await eventually(lambda: bob.code("solution") == "hello ")
        bob.text("solution").insert(6, "world")
        await eventually(lambda: alice.code("solution") == "hello world")
        await alice.disconnect()
        await bob.disconnect()
    finally:
        server.stop()

    stored = Doc()
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT data FROM editor_docupdate WHERE room_id = ? ORDER BY id", [room["room"]]
        )
        for (update,) in rows:
            stored.apply_update(update)
    assert str(stored.get("solution", type=Text)) == "hello world"
