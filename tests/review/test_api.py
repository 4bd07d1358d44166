"""REST API v1 for interviewers: rooms, transcript, code at an instant, the update log."""

import base64
import json

from pycrdt import Doc, Text

from editor import playback
from tests.review.conftest import FIZZ_FINAL, TWO_SUM_AT, instant


def owner_client(client, scripted):
    client.force_login(scripted.owner)
    return client


def test_rooms_lists_the_interviewers_rooms(client, scripted):
    response = owner_client(client, scripted).get("/api/v1/rooms/")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": scripted.room.id,
            "title": "Backend screen",
            "kind": "interview",
            "status": "ended",
            "created_at": "2026-11-25T10:00:00.000Z",
            "started_at": "2026-11-25T10:00:05.000Z",
            "ended_at": "2026-11-25T10:04:20.000Z",
            "candidates": ["Ada"],
        }
    ]
    one = client.get(f"/api/v1/rooms/{scripted.room.id}/")
    assert one.status_code == 200 and one.json() == response.json()[0]


def test_code_at_an_instant(client, scripted):
    response = owner_client(client, scripted).get(
        f"/api/v1/rooms/{scripted.room.id}/code", {"at": "2026-11-25T10:01:30Z"}
    )
    assert response.status_code == 200
    two_sum, fizz = scripted.questions["two-sum"], scripted.questions["fizz-buzz"]
    assert response.json() == {
        "at": "2026-11-25T10:01:30.000Z",
        "questions": [
            {
                "id": two_sum.id,
                "title": two_sum.title,
                "prompt": "Prompt of two-sum",
                "text": scripted.texts["two-sum"],
                "language": "python",
                "code": TWO_SUM_AT[90],
            },
            {
                "id": fizz.id,
                "title": fizz.title,
                "prompt": "Prompt of fizz-buzz",
                "text": scripted.texts["fizz-buzz"],
                "language": "python",
                "code": "",
            },
        ],
    }


def test_code_needs_a_valid_instant(client, scripted):
    owner_client(client, scripted)
    for bad in (
        {},
        {"at": "yesterday"},
        {"at": "2026-13-01T00:00:00Z"},
        {"at": "0001-01-01T00:00:00+14:00"},  # before the first instant there is
        {"at": "9999-12-31T23:59:59-14:00"},  # after the last
    ):
        for endpoint in ("code", "transcript"):
            response = client.get(f"/api/v1/rooms/{scripted.room.id}/{endpoint}", bad)
            if endpoint == "transcript" and not bad:
                continue  # the transcript's `at` is optional
            assert response.status_code == 400, (endpoint, bad)
            assert "ISO 8601" in response.json()["detail"]


def test_update_log_replays_to_the_code_at_any_instant(client, scripted):
    response = owner_client(client, scripted).get(
        f"/api/v1/rooms/{scripted.room.id}/updates", HTTP_ACCEPT_ENCODING="identity"
    )
    assert response.status_code == 200
    log = response.json()
    assert log["started_at"] == int(instant(5).timestamp() * 1000)
    assert log["ended_at"] == int(instant(260).timestamp() * 1000)
    seats = {seat["id"]: seat for seat in log["seats"]}
    # Who made each update: starter code is the server's (null), the rest is typed.
    assert [seats[u["seat"]]["role"] if u["seat"] else None for u in log["updates"]] == [
        None,
        "candidate",
        "candidate",
        "candidate",
        "candidate",
        None,
        "interviewer",
        "candidate",
    ]
    assert [t["text"] for t in log["texts"]] == [
        scripted.texts["two-sum"],
        scripted.texts["fizz-buzz"],
    ]

    def replay(seconds):  # as a browser does it: every update up to the instant
        doc = Doc()
        cutoff = int(instant(seconds).timestamp() * 1000)
        for update in log["updates"]:
            if update["at"] <= cutoff:
                doc.apply_update(base64.b64decode(update["data"]))
        return {name: str(doc.get(name, type=Text)) for name in scripted.texts.values()}

    for seconds, expected in TWO_SUM_AT.items():
        assert replay(seconds)[scripted.texts["two-sum"]] == expected
    assert replay(600)[scripted.texts["fizz-buzz"]] == FIZZ_FINAL


def test_update_log_is_compressed_for_browsers(client, scripted):
    response = owner_client(client, scripted).get(
        f"/api/v1/rooms/{scripted.room.id}/updates", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"


def test_transcript_downloads(client, scripted):
    owner_client(client, scripted)
    url = f"/api/v1/rooms/{scripted.room.id}/transcript"
    as_json = client.get(url)
    assert as_json.status_code == 200 and "Content-Disposition" not in as_json
    download = client.get(url, {"format": "json", "download": "1"})
    assert download["Content-Disposition"] == f'attachment; filename="room-{scripted.room.id}.json"'
    assert json.loads(download.content) == as_json.json()
    markdown = client.get(url, {"format": "md"})
    assert markdown.status_code == 200
    assert markdown["Content-Type"].startswith("text/markdown")
    assert markdown["Content-Disposition"] == f'attachment; filename="room-{scripted.room.id}.md"'
    assert markdown.content.decode().startswith("# Transcript: Backend screen\n")


def test_update_log_carries_checkpoints_when_asked(client, scripted, monkeypatch):
    monkeypatch.setattr(playback, "SNAPSHOT_EVERY", 3)
    owner_client(client, scripted)
    url = f"/api/v1/rooms/{scripted.room.id}/updates"
    assert client.get(url).json()["checkpoints"] == []
    log = client.get(url, {"checkpoints": "1"}).json()
    assert [c["upto"] for c in log["checkpoints"]] == [
        log["updates"][2]["id"],
        log["updates"][5]["id"],
    ]
    # A checkpoint plus the updates after it is the code at the end.
    doc = Doc()
    doc.apply_update(base64.b64decode(log["checkpoints"][1]["data"]))
    for update in log["updates"][6:]:
        doc.apply_update(base64.b64decode(update["data"]))
    assert str(doc.get(scripted.texts["fizz-buzz"], type=Text)) == FIZZ_FINAL
    assert str(doc.get(scripted.texts["two-sum"], type=Text)) == TWO_SUM_AT[150]


def test_transcript_at_an_instant(client, scripted):
    owner_client(client, scripted)
    url = f"/api/v1/rooms/{scripted.room.id}/transcript"
    data = client.get(url, {"at": "2026-11-25T10:01:00Z"}).json()
    assert data["code_at"] == "2026-11-25T10:01:00.000Z"
    assert [q["code"] for q in data["questions"]] == [TWO_SUM_AT[60], ""]
    assert client.get(url, {"at": "soon"}).status_code == 400
