"""Several hosts behind a real load balancer: three daphne processes behind HAProxy (round-robin,
nothing sticky), every client connecting through the proxy only. The room works with its
people on different hosts, survives losing one host, and a rolling restart of all three loses
and doubles no keystroke."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

import pytest
import websockets
from asgiref.sync import sync_to_async

from rooms import transcript
from rooms.models import Room, RoomQuestion
from tests.cluster import Cluster, served_by
from tests.control_client import ControlClient
from tests.editor.test_y_websocket_interop import NodeProvider
from tests.editor.typists import Typist, assert_each_once, converged, stored_code
from tests.editor.yclient import YClient, eventually
from tests.runs.conftest import RunRoom, finished, make_run_room, workers, workers_seen

__all__ = ["workers"]  # a fixture of the runs' tests, used here too

pytestmark = pytest.mark.django_db(transaction=True)


def control_url(cluster: Cluster, doc_room: Any, role: str) -> str:
    return f"{cluster.ws_url}/ws/rooms/{doc_room.room.id}/?token={doc_room.tokens[role]}"


async def control(cluster: Cluster, doc_room: Any, role: str, timeout: float = 15) -> ControlClient:
    """A control connection through the proxy, retried as the page does until one answers."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await ControlClient(control_url(cluster, doc_room, role)).connect()
        except (OSError, TimeoutError, AssertionError, websockets.WebSocketException):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def editor_on(cluster: Cluster, doc_room: Any, role: str, wanted: Any) -> YClient:
    """An editor connection through the proxy that landed on a host `wanted(host)` accepts
    (round-robin: the next connection goes to the next host)."""
    for _ in range(6):
        client = await YClient(doc_room.url(cluster, role)).connect()
        if wanted(served_by(client)):
            return client
        await client.disconnect()
    raise AssertionError("round-robin never reached the wanted host")


def timer_origin(timer: dict[str, Any]) -> int:
    """When the running timer started, in server milliseconds."""
    return timer["server_time"] - timer["elapsed_ms"]


async def test_interviewer_and_candidate_on_different_hosts_share_the_whole_room(cluster, doc_room):
    interviewer = await control(cluster, doc_room, "interviewer")
    candidate = await control(cluster, doc_room, "candidate")
    assert served_by(interviewer) != served_by(candidate)

    item = await sync_to_async(RoomQuestion.objects.get)(room=doc_room.room)
    question_id = item.question_id
    await interviewer.send({"type": "question.show", "question": question_id})
    shown = await candidate.next("question.shown")
    assert shown["question"]["title"] == "Two sum"
    await interviewer.send({"type": "timer.start", "duration_s": 1800})
    timer = await candidate.next("timer.state", status="running")
    assert timer["duration_ms"] == 1_800_000
    await candidate.send({"type": "chat.send", "text": "Can I use a dict?"})
    message = await interviewer.next("chat.message")
    assert message["message"]["text"] == "Can I use a dict?"

    theirs = await editor_on(cluster, doc_room, "interviewer", lambda h: True)
    mine = await editor_on(cluster, doc_room, "candidate", lambda h: h != served_by(theirs))
    await eventually(lambda: "def two_sum" in mine.code(doc_room.text))  # the starter code
    mine.text(doc_room.text).insert(0, "# hash map\n")
    await eventually(lambda: theirs.code(doc_room.text).startswith("# hash map\n"))
    theirs.text(doc_room.text).insert(0, "# good\n")
    await eventually(lambda: mine.code(doc_room.text).startswith("# good\n# hash map\n"))
    for client in (interviewer, candidate, mine, theirs):
        await client.disconnect()


def seat_id(client: ControlClient, role: str) -> int:
    """A seat's id, from the people list of a client's room.state."""
    return next(p["seat"] for p in client.frames[0]["participants"] if p["role"] == role)


async def timeline(doc_room: Any, who: str) -> list[str]:
    """The lines about `who` in the exported transcript's timeline (Markdown, as people read
    it), without their time stamps."""
    room = await sync_to_async(Room.objects.get)(id=doc_room.room.id)
    markdown = await sync_to_async(lambda: transcript.render_markdown(transcript.build(room)))()
    lines = markdown.split("## Timeline", 1)[1].splitlines()
    return [line.split("` ", 1)[1] for line in lines if line.startswith("- `") and who in line]


async def test_a_host_killed_mid_interview_loses_nothing(cluster, doc_room):
    interviewer = await control(cluster, doc_room, "interviewer")
    candidate = await control(cluster, doc_room, "candidate")
    doomed = served_by(candidate)
    seat = seat_id(interviewer, "candidate")
    assert served_by(interviewer) != doomed
    await interviewer.send({"type": "timer.start", "duration_s": 1800})
    started = timer_origin(await candidate.next("timer.state", status="running"))
    typing = await editor_on(cluster, doc_room, "candidate", lambda h: h == doomed)
    watching = await editor_on(cluster, doc_room, "interviewer", lambda h: h != doomed)
    typist = Typist(typing, doc_room.text, "c", seed=7).start()
    await asyncio.sleep(1)

    cluster.kill(doomed)
    assert await candidate.close_code() == 1006  # cut, no goodbye
    await asyncio.wait_for(asyncio.shield(typing.closed), 5)
    # The page and the editor reconnect through the proxy, to a host that is alive; typing
    # never stopped (edits wait in the client meanwhile).
    back = await control(cluster, doc_room, "candidate")
    assert served_by(back) != doomed
    await typing.reconnect(timeout=15)
    assert served_by(typing) != doomed
    await asyncio.sleep(0.5)
    await typist.stop()

    code = await converged([typing, watching], str(doc_room.room.id), doc_room.text)
    assert_each_once(code, typist.typed)
    # The timer did not move; both people are still shown in the room.
    assert abs(timer_origin(back.frames[0]["timer"]) - started) <= 5
    online = {p["role"]: p["online"] for p in back.frames[0]["participants"]}
    assert online == {"interviewer": True, "candidate": True}
    # The gap is told honestly: the interviewer saw the candidate go and come back, and the
    # transcript says the connection was lost, then that the candidate joined again.
    await interviewer.next("presence", seat=seat, online=False)
    await interviewer.next("presence", seat=seat, online=True)
    lines = await timeline(doc_room, "Candidate")
    assert lines[0] == "Candidate joined (candidate)"
    assert re.fullmatch(r"Candidate's connection was lost \(last heard \d+ s before\)", lines[1])
    assert lines[2:] == ["Candidate joined (candidate)"]
    for client in (interviewer, back, typing, watching):
        await client.disconnect()


async def test_a_person_on_a_killed_host_who_never_returns_is_shown_offline_in_seconds(
    cluster, doc_room
):
    interviewer = await control(cluster, doc_room, "interviewer")
    candidate = await control(cluster, doc_room, "candidate")
    assert served_by(interviewer) != served_by(candidate)
    seat = seat_id(interviewer, "candidate")
    loop = asyncio.get_running_loop()
    killed_at = loop.time()
    cluster.kill(served_by(candidate))
    await interviewer.next("presence", timeout=10, seat=seat, online=False)
    assert loop.time() - killed_at < 4
    lines = await timeline(doc_room, "Candidate")
    assert lines[0] == "Candidate joined (candidate)"
    assert lines[1].startswith("Candidate's connection was lost") and len(lines) == 2
    await interviewer.disconnect()


async def test_rolling_restart_of_every_host_while_two_people_type(cluster, doc_room):
    typists = {
        role: await NodeProvider().start(cluster, doc_room, role)
        for role in ("interviewer", "candidate")
    }
    for node in typists.values():
        await eventually(lambda node=node: node.has("synced"), timeout=15)
    typed: dict[str, list[str]] = {role: [] for role in typists}
    stop = asyncio.Event()

    async def type_into(role: str) -> None:
        while not stop.is_set():
            marker = f"{role[0]}{len(typed[role])}"
            await typists[role].command(op="insert", index=0, value=f"<{marker}>")
            typed[role].append(marker)
            await asyncio.sleep(0.03)

    typing = [asyncio.create_task(type_into(role)) for role in typists]
    for name in cluster.hosts:
        await asyncio.sleep(0.5)
        assert await asyncio.to_thread(cluster.terminate, name) == 0  # drained, clean exit
        await asyncio.to_thread(cluster.restart, name)
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*typing)

    everything = typed["interviewer"] + typed["candidate"]

    async def all_agree() -> bool:
        stored = await stored_code(str(doc_room.room.id), doc_room.text)
        return {node.text for node in typists.values()} == {stored}

    await eventually(all_agree, timeout=30, interval=0.2)
    assert_each_once(typists["candidate"].text, everything)
    # Each provider lost its connection once per host it sat on, and came back each time.
    closes = [e for node in typists.values() for e in node.events if e["type"] == "closed"]
    assert closes and {e["code"] for e in closes} == {1012}
    for node in typists.values():
        with contextlib.suppress(Exception):
            await node.stop()


async def test_a_run_started_on_one_host_is_seen_from_another(cluster, workers):
    """The candidate presses Run on one host, a runner worker runs it, and the interviewer on
    another host sees it start, print and finish."""
    room: RunRoom = await sync_to_async(make_run_room)()
    workers()
    await workers_seen(1)
    await sync_to_async(room.set_code)(room.python, "print('hello across hosts')\n")
    candidate = await room.client(cluster, "candidate")
    interviewer = await room.client(cluster, "interviewer")
    assert served_by(candidate) != served_by(interviewer)
    await candidate.send({"type": "code.run", "question": room.python, "mode": "run"})
    run = (await interviewer.next("run.started"))["run"]
    await interviewer.next("run.state", run=run, status="running", timeout=15)
    output = await interviewer.next("run.output", run=run, timeout=15)
    assert output["data"] == "hello across hosts\n"
    end = await finished(interviewer, run)
    assert end["exit_code"] == 0 and not end["failure"]
    for client in (candidate, interviewer):
        await client.disconnect()
