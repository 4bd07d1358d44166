"""A long room is folded into snapshots as it is typed, so joining it stays one read."""

from asgiref.sync import sync_to_async
from pycrdt import Text

from editor.models import DocSnapshot
from editor.store import SNAPSHOT_EVERY, docstore
from tests.editor.yclient import YClient, eventually


async def test_typing_past_a_snapshot_interval_folds_the_log_and_a_late_joiner_gets_it_all(
    daphne_servers, doc_room, server_loop
):
    server = daphne_servers()
    typist = await YClient(doc_room.url(server, "candidate")).connect()
    text = typist.text(doc_room.text)
    keystrokes = SNAPSHOT_EVERY + 20
    for i in range(keystrokes):  # one update per keystroke, as an editor sends them
        text.insert(len(text), "x" if i % 40 else "\n")
    expected = str(text)

    async def stored_and_folded() -> bool:
        loaded = await docstore().load(doc_room.room.id)
        return (
            str(loaded.doc.get(doc_room.text, type=Text)) == expected
            and await sync_to_async(DocSnapshot.objects.filter(room_id=doc_room.room.id).exists)()
        )

    await eventually(stored_and_folded, timeout=30)
    loaded = await docstore().load(doc_room.room.id)
    assert loaded.tail < keystrokes  # a load starts from the snapshot, not the whole log
    other_process = daphne_servers()  # nobody is in the room there: it loads from PostgreSQL
    late = await YClient(doc_room.url(other_process, "interviewer")).connect()
    await eventually(lambda: late.code(doc_room.text) == expected)
    await typist.disconnect()
    await late.disconnect()
