"""An observer (a hiring manager shadowing, a trainee) is invisible to the candidate: no chip
in the people list, no presence frames, and what an observer writes in the chat goes to the
interviewers only."""

import pytest

from rooms import transcript
from rooms.models import ChatMessage, Room
from tests.rooms.conftest import db_async

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_candidate_never_learns_that_someone_is_watching(room, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    assert "observer" not in [p["role"] for p in candidate.state["participants"]]
    assert "observer" in [p["role"] for p in interviewer.state["participants"]]

    observer = await clients(room.room.id, room.tokens["observer"])
    await interviewer.receive_presence("observer", online=True)
    await observer.send({"type": "name.set", "name": "Hiring manager"})
    await interviewer.receive_presence("observer", name="Hiring manager")
    await observer.send({"type": "chat.send", "text": "Ask about testing"})
    whisper = (await interviewer.receive_type("chat.message"))["message"]
    assert (whisper["text"], whisper["to"]) == ("Ask about testing", "interviewers")
    assert (await observer.receive_type("chat.message"))["message"]["text"] == "Ask about testing"
    await candidate.send({"type": "chat.send", "text": "Done with part one"})
    assert (await interviewer.receive_type("chat.message"))["message"]["text"].startswith("Done")

    seen = await candidate.drain(0.5)
    assert [f["message"]["text"] for f in seen if f["type"] == "chat.message"] == [
        "Done with part one"
    ]
    assert not [f for f in seen if f["type"] == "presence" and f["role"] == "observer"]
    assert "Hiring manager" not in str(seen) and "Ask about testing" not in str(seen)
    again = await clients(room.room.id, room.tokens["candidate"])
    assert [m["text"] for m in again.state["chat"]] == ["Done with part one"]
    assert "observer" not in [p["role"] for p in again.state["participants"]]

    # The interviewers' record keeps the aside, marked as such.
    stored = await db_async(
        lambda: list(ChatMessage.objects.values_list("text", "to_interviewers"))
    )()
    assert ("Ask about testing", True) in stored
    data = await db_async(lambda: transcript.build(Room.objects.get(id=room.room.id)))()
    assert "(to interviewers): Ask about testing" in transcript.render_markdown(data)
