"""The unmodified npm y-websocket provider (driven from node) works against our server."""

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from editor import documents
from editor.protocol import AwarenessEntry, encode_awareness
from tests.editor.yclient import YClient, eventually

SCRIPT = Path(__file__).with_name("y_websocket_client.mjs")


def node_command() -> list[str]:
    node = shutil.which("node")
    assert node, "node (20+) is needed to drive the npm y-websocket client"
    major = int(subprocess.check_output([node, "-p", "process.versions.node"]).split(b".")[0])
    # Node 20 has a WebSocket only behind a flag; from 22 on it is global.
    return [node, "--experimental-websocket"] if major < 22 else [node]


class NodeProvider:
    """A WebsocketProvider in a node process; what it reports is kept here."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self, server, doc_room, role: str) -> "NodeProvider":
        self.process = await asyncio.create_subprocess_exec(
            *node_command(),
            str(SCRIPT),
            f"{server.ws_url}/ws/doc",
            str(doc_room.room.id),
            doc_room.tokens[role],
            server.http_url,
            doc_room.text,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process and self.process.stdout
        async for line in self.process.stdout:
            self.events.append(json.loads(line))

    def last(self, kind: str) -> dict[str, Any] | None:
        return next((e for e in reversed(self.events) if e["type"] == kind), None)

    def has(self, kind: str) -> bool:
        return self.last(kind) is not None

    @property
    def text(self) -> str:
        event = self.last("text")
        return event["value"] if event else ""

    async def command(self, **command: Any) -> None:
        assert self.process and self.process.stdin
        self.process.stdin.write(json.dumps(command).encode() + b"\n")
        await self.process.stdin.drain()

    async def stop(self) -> None:
        assert self.process and self.process.stdin
        self.process.stdin.close()
        await asyncio.wait_for(self.process.wait(), 10)
        if self._reader:
            await self._reader


async def stored_is(doc_room, expected: str) -> bool:
    stored = await sync_to_async(documents.code_now)(doc_room.room.id, [doc_room.text])
    return stored[doc_room.text] == expected


@pytest.fixture
def server(shared_server, transactional_db):
    return shared_server


async def test_the_npm_provider_and_a_python_client_edit_the_same_code(server, doc_room):
    python = await YClient(doc_room.url(server, "interviewer")).connect()
    node = await NodeProvider().start(server, doc_room, "candidate")
    await eventually(lambda: node.has("synced"))

    await node.command(op="insert", index=0, value="def f():\n    return 1\n")
    await eventually(lambda: python.code(doc_room.text) == "def f():\n    return 1\n")
    python.text(doc_room.text).insert(0, "# reviewed\n")
    await eventually(lambda: node.text == "# reviewed\ndef f():\n    return 1\n")
    await node.command(op="delete", index=0, length=len("# reviewed\n"))
    await eventually(lambda: python.code(doc_room.text) == "def f():\n    return 1\n")
    await eventually(lambda: stored_is(doc_room, "def f():\n    return 1\n"))
    await node.stop()
    await python.disconnect()


async def test_the_npm_provider_sees_awareness_both_ways_and_its_own_echo(server, doc_room):
    python = await YClient(doc_room.url(server, "interviewer")).connect()
    node = await NodeProvider().start(server, doc_room, "candidate")
    await eventually(lambda: node.has("synced"))
    node_id = node.last("client")["clientId"]

    await node.command(op="awareness", state={"user": {"name": "Olivia"}})
    # The server echoes a client's awareness to the client itself: with no other traffic,
    # this is what keeps the provider from calling the connection dead after 30 s.
    await eventually(
        lambda: any(
            e.get("state") == {"user": {"name": "Olivia"}}
            for e in node.events
            if e["type"] == "echo"
        )
    )
    await eventually(lambda: '"Olivia"' in python.awareness_states.get(node_id, ""))

    await python.send_awareness(
        encode_awareness([AwarenessEntry(4242, 1, '{"user":{"name":"Ivan"}}')])
    )

    def node_sees_ivan() -> bool:
        event = node.last("awareness")
        return (
            bool(event)
            and {"clientId": 4242, "state": {"user": {"name": "Ivan"}}} in event["states"]
        )

    await eventually(node_sees_ivan)

    # When the python client leaves, its awareness state disappears for the node provider.
    await python.disconnect()

    def ivan_gone() -> bool:
        event = node.last("awareness")
        return bool(event) and all(s["clientId"] != 4242 for s in event["states"])

    await eventually(ivan_gone)
    await node.stop()


async def test_an_observers_provider_is_read_only_and_invisible(server, doc_room):
    """An observer watches: its edits reach nobody, and nobody sees its cursor or name."""
    python = await YClient(doc_room.url(server, "interviewer")).connect()
    node = await NodeProvider().start(server, doc_room, "observer")
    await eventually(lambda: node.has("synced"))
    node_id = node.last("client")["clientId"]
    await node.command(op="awareness", state={"user": {"name": "Obi the observer"}})
    await node.command(op="insert", index=0, value="observer text")
    python.text(doc_room.text).insert(0, "real code")
    await eventually(lambda: node.text.endswith("real code") or node.text.startswith("real code"))
    await eventually(lambda: stored_is(doc_room, "real code"))
    await asyncio.sleep(0.5)  # whatever the observer sent had time to arrive
    assert "observer" not in python.code(doc_room.text)
    assert node_id not in python.awareness_states
    assert "Obi" not in str(python.awareness_states)
    await node.stop()
    await python.disconnect()
