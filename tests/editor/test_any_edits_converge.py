"""Property: whatever two or three people type and delete, whoever drops off and comes back
with edits made offline, everyone ends with the same code, which is the stored code, and
holds every marker typed and not deleted exactly once."""

import asyncio
import random

import pytest
from asgiref.sync import sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.editor.conftest import make_doc_room
from tests.editor.typists import MARKER, assert_each_once, converged, insert_marker
from tests.editor.yclient import YClient

WHO = st.integers(min_value=0, max_value=2)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("type"), WHO, st.integers(1, 4)),
        st.tuples(st.just("delete"), WHO, st.just(0)),
        st.tuples(st.just("leave"), WHO, st.just(0)),
        st.tuples(st.just("drop"), WHO, st.just(0)),
        st.tuples(st.just("return"), WHO, st.just(0)),
        st.tuples(st.just("wait"), WHO, st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def server(shared_server, transactional_db):
    return shared_server


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.integers(min_value=2, max_value=3), steps=STEPS, seed=st.integers(0, 1000))
async def test_any_edits_with_disconnects_converge_to_the_stored_code(server, people, steps, seed):
    doc_room = await sync_to_async(make_doc_room)()
    roles = ["candidate", "interviewer", "candidate"][:people]  # two tabs may share a seat
    clients = [await YClient(doc_room.url(server, role)).connect() for role in roles]
    rng = random.Random(seed)
    typed: list[str] = []
    deleted: set[str] = set()
    for action, who, count in steps:
        client = clients[who % people]
        if action == "type":
            for _ in range(count):
                marker = f"m{len(typed)}"
                insert_marker(client, doc_room.text, marker, rng)
                typed.append(marker)
        elif action == "delete":
            found = list(MARKER.finditer(client.code(doc_room.text)))
            if found:
                match = rng.choice(found)
                del client.text(doc_room.text)[match.start() : match.end()]
                deleted.add(match.group(1))
        elif action == "leave" and client.online:
            await client.disconnect()
        elif action == "drop" and client.online:
            await client.drop()
        elif action == "return" and not client.online:
            await client.reconnect()
        elif action == "wait":
            await asyncio.sleep(0.05)
        await asyncio.sleep(0)  # let frames flow between steps
    for client in clients:
        if not client.online:
            await client.reconnect()

    code = await converged(clients, doc_room.room.id, doc_room.text)
    assert_each_once(code, [marker for marker in typed if marker not in deleted])
    for client in clients:
        await client.disconnect()
