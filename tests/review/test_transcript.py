"""The transcript of the scripted room: events in order, the JSON exactly, Markdown for people."""

import json

from rooms import transcript
from rooms.models import ChatMessage
from tests.review.conftest import FIZZ_FINAL, TWO_SUM_AT, instant


def expected_json(scripted, two_sum_code=TWO_SUM_AT[150], fizz_code=FIZZ_FINAL, code_at=None):
    i, c, o = (scripted.seats[role].id for role in ("interviewer", "candidate", "observer"))
    two_sum, fizz = scripted.questions["two-sum"], scripted.questions["fizz-buzz"]
    message = ChatMessage.objects.get(room=scripted.room).id

    def event(seq, seconds, actor, type, data):
        at = f"2026-11-25T10:{seconds // 60:02d}:{seconds % 60:02d}.000Z"
        return {"seq": seq, "at": at, "actor": actor, "type": type, "data": data}

    timer = {"status": "running", "elapsed_ms": 0, "duration_ms": 1_800_000,
             "server_time": int(instant(30).timestamp() * 1000)}  # fmt: skip
    return {
        "room": {
            "id": scripted.room.id,
            "title": "Backend screen",
            "status": "ended",
            "kind": "interview",
            "created_at": "2026-11-25T10:00:00.000Z",
            "started_at": "2026-11-25T10:00:05.000Z",
            "ended_at": "2026-11-25T10:04:20.000Z",
            "candidates": ["Ada"],
        },
        "participants": [
            {"seat": i, "role": "interviewer", "name": "alice", "revoked": False},
            {"seat": c, "role": "candidate", "name": "Ada", "revoked": False},
            {"seat": o, "role": "observer", "name": "", "revoked": False},
        ],
        "events": [
            event(
                1,
                0,
                None,
                "room.created",
                {"kind": "interview", "title": "Backend screen", "template": "screen"},
            ),
            event(2, 0, c, "seat.named", {"name": "Ada", "seat": c}),
            event(3, 5, i, "room.started", {}),
            event(4, 5, i, "join", {"role": "interviewer", "seat": i}),
            event(5, 10, c, "join", {"role": "candidate", "seat": c}),
            event(
                6,
                20,
                i,
                "question.shown",
                {"text": f"q-{two_sum.id}", "title": "Two Sum", "question": two_sum.id},
            ),
            event(7, 30, i, "timer.start", timer),
            event(8, 100, c, "chat", {"text": "Can I use a dict?", "message": message}),
            event(9, 110, c, "paste", {"seat": c, "chars": 42}),
            event(10, 130, c, "focus", {"seat": c, "focused": False}),
            event(11, 140, c, "focus", {"seat": c, "focused": True}),
            event(
                12,
                180,
                i,
                "question.shown",
                {"text": f"q-{fizz.id}", "title": "Fizz Buzz", "question": fizz.id},
            ),
            event(13, 240, i, "notes.saved", {"seat": i, "chars": 35}),
            event(
                14,
                250,
                i,
                "score.saved",
                {
                    "seat": i,
                    "rating": 3,
                    "comment": "solid",
                    "question": two_sum.id,
                    "recommendation": None,
                },
            ),
            event(
                15,
                250,
                i,
                "score.saved",
                {
                    "seat": i,
                    "rating": None,
                    "comment": "hire",
                    "question": None,
                    "recommendation": "yes",
                },
            ),
            event(16, 255, c, "leave", {"seat": c}),
            event(17, 260, i, "room.ended", {}),
        ],  # fmt: skip
        "questions": [
            {
                "id": two_sum.id,
                "title": "Two Sum",
                "prompt": "Prompt of two-sum",
                "text": f"q-{two_sum.id}",
                "language": "python",
                "code": two_sum_code,
            },
            {
                "id": fizz.id,
                "title": "Fizz Buzz",
                "prompt": "Prompt of fizz-buzz",
                "text": f"q-{fizz.id}",
                "language": "python",
                "code": fizz_code,
            },
        ],  # fmt: skip
        "code_at": code_at,
        "notes": [
            {
                "seat": i,
                "name": "alice",
                "text": "Knows dicts.\nMissed the empty case.",
                "updated_at": "2026-11-25T10:04:00.000Z",
            },
        ],  # fmt: skip
        "scores": [
            {
                "seat": i,
                "name": "alice",
                "question": two_sum.id,
                "rating": 3,
                "recommendation": None,
                "comment": "solid",
                "updated_at": "2026-11-25T10:04:10.000Z",
            },
            {
                "seat": i,
                "name": "alice",
                "question": None,
                "rating": None,
                "recommendation": "yes",
                "comment": "hire",
                "updated_at": "2026-11-25T10:04:10.000Z",
            },
        ],  # fmt: skip
    }


def test_events_come_in_order_with_every_kind_of_action(scripted):
    events = transcript.build(scripted.room)["events"]
    assert [e["seq"] for e in events] == list(range(1, 18))
    assert [e["type"] for e in events] == [
        "room.created", "seat.named", "room.started", "join", "join", "question.shown",
        "timer.start", "chat", "paste", "focus", "focus", "question.shown", "notes.saved",
        "score.saved", "score.saved", "leave", "room.ended",
    ]  # fmt: skip
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


def test_json_transcript_exactly(scripted):
    data = transcript.build(scripted.room)
    assert data == expected_json(scripted)
    json.dumps(data)  # nothing that JSON cannot carry


def test_json_transcript_at_an_instant_has_the_code_of_then(scripted):
    data = transcript.build(scripted.room, instant(90))
    assert data == expected_json(
        scripted, TWO_SUM_AT[90], fizz_code="", code_at="2026-11-25T10:01:30.000Z"
    )


def test_markdown_transcript(scripted):
    text = transcript.render_markdown(transcript.build(scripted.room))
    lines = text.splitlines()
    assert lines[0] == "# Transcript: Backend screen"
    for line in [
        f"- Room: `{scripted.room.id}` (interview, ended)",
        "- **alice**, interviewer",
        "- **Ada**, candidate",
        "- `+00:01:35` **Ada**: Can I use a dict?",
        "| Two Sum | 3/4 | solid |",
        "Recommendation: **yes**: hire",
        "- `-00:00:05` The candidate is now called Ada",
        "- `+00:00:15` alice showed “Two Sum”",
        "- `+00:00:25` alice: timer started (30 min)",
        "- `+00:01:45` Ada pasted 42 characters",
        "- `+00:02:05` Ada left the room's tab",
        "- `+00:02:15` Ada came back to the room's tab",
        "- `+00:04:15` alice ended the room",
    ]:
        assert line in lines
    # Final code in fenced blocks with the language; notes as written.
    assert (
        "### 1. Two Sum\n\nPrompt of two-sum\n\n```python\ndef two_sum(nums, target):\n"
        "    return []\n```\n"
    ) in text
    assert (
        "### 2. Fizz Buzz\n\nPrompt of fizz-buzz\n\n```python\ndef fizz_buzz():\n"
        "    return 'fizz'\n# edge cases?\n```\n" in text
    )
    assert "### alice\n\nKnows dicts.\nMissed the empty case.\n" in text
    # The timeline is the events in order, one line each.
    timeline = lines[lines.index("## Timeline") + 2 :]
    assert len(timeline) == 17 and timeline[0] == "- `-00:00:05` Room created"


def test_markdown_fences_code_that_holds_backticks(scripted):
    data = transcript.build(scripted.room)
    data["questions"][0]["code"] = 'doc = """\n```python\nx\n```\n"""\n'
    text = transcript.render_markdown(data)
    assert '````python\ndoc = """\n```python\nx\n```\n"""\n````' in text


def test_a_room_where_nothing_happened_yet(room):
    data = transcript.build(room.room)
    assert [e["type"] for e in data["events"]] == ["room.created"]
    assert (data["questions"], data["notes"], data["scores"]) == ([], [], [])
    text = transcript.render_markdown(data)
    for line in [
        "- Started: never",
        "- Ended: not yet",
        "No question was shown.",
        "No messages.",
        "No notes.",
        "No scores.",
        "- `+00:00:00` Room created",
    ]:
        assert line in text.splitlines()  # fmt: skip


def test_a_pipe_in_a_score_comment_stays_inside_its_table_cell(scripted):
    """A comment with `|` must not split the Markdown table's row into more cells."""
    data = transcript.build(scripted.room)
    data["scores"][0]["comment"] = "a|b || c"
    lines = transcript.render_markdown(data).splitlines()
    row = next(line for line in lines if line.startswith("| Two Sum |"))
    assert row == "| Two Sum | 3/4 | a\\|b \\|\\| c |"
    unescaped = [part for part in row.replace("\\|", "").split("|") if part.strip()]
    assert len(unescaped) == 3  # question, rating, comment
