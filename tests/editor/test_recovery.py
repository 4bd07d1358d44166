"""No keystroke is lost: a killed server process, a restarted Redis, relays the channel layer
drops. Each test types unique markers, so a loss or a duplicate shows in the final code."""

import asyncio
import random

from tests.editor.typists import (
    assert_each_once,
    converged,
    insert_marker,
    markers,
    two_typists,
)
from tests.editor.yclient import YClient, eventually

QUICK_RESYNC = {"DOC_RESYNC_S": "1"}


async def test_a_killed_process_loses_no_edit_and_offline_edits_merge(daphne_servers, doc_room):
    server = daphne_servers()
    alice = await YClient(doc_room.url(server, "candidate")).connect()
    bob = await YClient(doc_room.url(server, "interviewer")).connect()
    typists = two_typists(alice, bob, doc_room.text, seed=1)
    await eventually(lambda: len(markers(bob.code(doc_room.text))) > 40)

    server.kill()  # mid-typing
    # What each client had received from the other may have been relayed while its commit
    # was in flight: the clients still hold it, and send it again when they reconnect.
    seen = {m for m in markers(bob.code(doc_room.text)) if m.startswith("a")}
    seen |= {m for m in markers(alice.code(doc_room.text)) if m.startswith("b")}

    # They keep typing while offline, then a process comes back on the same address.
    await eventually(lambda: not alice.online and not bob.online)
    await asyncio.sleep(0.3)
    daphne_servers(port=server.port)
    await asyncio.gather(alice.reconnect(), bob.reconnect())
    await asyncio.sleep(0.3)
    for typist in typists:
        await typist.stop()

    code = await converged([alice, bob], doc_room.room.id, doc_room.text)
    assert_each_once(code, typists[0].typed + typists[1].typed)
    assert set(markers(code)) >= seen
    await alice.disconnect()
    await bob.disconnect()


async def test_a_restarted_redis_loses_no_edit_and_the_room_recovers(
    daphne_servers, doc_room, own_redis
):
    env = {"REDIS_URL": own_redis.url, **QUICK_RESYNC}
    first, second = daphne_servers(env=env), daphne_servers(env=env)
    alice = await YClient(doc_room.url(first, "candidate")).connect()
    bob = await YClient(doc_room.url(second, "interviewer")).connect()
    typists = two_typists(alice, bob, doc_room.text, seed=3)
    await eventually(lambda: len(markers(bob.code(doc_room.text))) > 40)

    own_redis.kill()  # mid-typing: every relay between the processes is lost meanwhile
    await asyncio.sleep(1)
    own_redis.start()
    await asyncio.sleep(1)
    for typist in typists:
        await typist.stop()
    code = await converged([alice, bob], doc_room.room.id, doc_room.text)
    assert_each_once(code, typists[0].typed + typists[1].typed)
    # Nobody was disconnected, and the room works again through the channel layer.
    assert alice.online and bob.online
    for client, who in ((alice, "x"), (bob, "y")):
        client.text(doc_room.text).insert(0, f"<{who}0>")
    code = await converged([alice, bob], doc_room.room.id, doc_room.text)
    assert_each_once(code, typists[0].typed + typists[1].typed + ["x0", "y0"])
    await alice.disconnect()
    await bob.disconnect()


async def test_relays_the_channel_layer_loses_are_healed_from_the_log(
    daphne_servers, doc_room, own_redis
):
    """Redis drops the processes' subscriptions again and again while two people type: every
    relay published meanwhile is lost, yet nobody is left behind, and nobody reconnects."""
    env = {"REDIS_URL": own_redis.url, **QUICK_RESYNC}
    first, second = daphne_servers(env=env), daphne_servers(env=env)
    alice = await YClient(doc_room.url(first, "candidate")).connect()
    bob = await YClient(doc_room.url(second, "interviewer")).connect()
    typists = two_typists(alice, bob, doc_room.text, seed=5)
    for _ in range(4):
        await asyncio.sleep(0.2)
        await own_redis.drop_subscribers(processes=2)
    for typist in typists:
        await typist.stop()
    code = await converged([alice, bob], doc_room.room.id, doc_room.text)
    assert_each_once(code, typists[0].typed + typists[1].typed)

    # The very last edit's relay is lost, and no later relay reveals the gap: the periodic
    # catch-up from the log brings it.
    await own_redis.drop_subscribers(processes=2)
    alice.text(doc_room.text).insert(0, "<last0>")
    code = await converged([alice, bob], doc_room.room.id, doc_room.text)
    assert_each_once(code, typists[0].typed + typists[1].typed + ["last0"])
    assert alice.online and bob.online
    await alice.disconnect()
    await bob.disconnect()


async def test_a_hung_redis_stalls_no_typing(daphne_servers, doc_room, own_redis):
    """Redis stops answering (paused): typing is still stored, the typist's neighbours on its
    process see it at once, and those on another process through the log."""
    env = {"REDIS_URL": own_redis.url, **QUICK_RESYNC}
    first, second = daphne_servers(env=env), daphne_servers(env=env)
    alice = await YClient(doc_room.url(first, "candidate")).connect()
    bob = await YClient(doc_room.url(first, "interviewer")).connect()
    carol = await YClient(doc_room.url(second, "observer")).connect()
    admin = own_redis.client()
    admin.client_pause(120_000, all=False)  # publishing now hangs (writes are paused)
    try:
        rng = random.Random(7)
        typed = [f"a{i}" for i in range(20)]
        for marker in typed:
            insert_marker(alice, doc_room.text, marker, rng)
            await asyncio.sleep(0.02)
        code = await converged([alice, bob, carol], doc_room.room.id, doc_room.text)
        assert_each_once(code, typed)
    finally:
        admin.client_unpause()
    for client in (alice, bob, carol):
        await client.disconnect()


async def test_garbage_on_a_rooms_relay_channel_changes_nothing(
    daphne_servers, doc_room, own_redis, settings
):
    """Messages on the room's Redis channel that no server process wrote are ignored, and
    relays keep flowing between the processes (no periodic catch-up here to hide a stall)."""
    env = {"REDIS_URL": own_redis.url, "DOC_RESYNC_S": "1000"}
    first, second = daphne_servers(env=env), daphne_servers(env=env)
    alice = await YClient(doc_room.url(first, "candidate")).connect()
    bob = await YClient(doc_room.url(second, "interviewer")).connect()
    channel = f"{settings.CHANNEL_PREFIX}.doc.{doc_room.room.id}"
    junk = [b"", b"short", b"12345678Zwhat", b"12345678U\x00\x01", b"\xff" * 9 + b"\x00" * 40]
    for message in junk:
        own_redis.client().publish(channel, message)

    rng = random.Random(8)
    insert_marker(alice, doc_room.text, "a0", rng)
    await eventually(lambda: "<a0>" in bob.code(doc_room.text))
    insert_marker(bob, doc_room.text, "b0", rng)
    code = await converged([alice, bob], doc_room.room.id, doc_room.text, timeout=3)
    assert_each_once(code, ["a0", "b0"])
    assert alice.online and bob.online
    await alice.disconnect()
    await bob.disconnect()
