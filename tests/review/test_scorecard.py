"""The scorecard: a rating per question and an overall recommendation, during or after."""

import json

import pytest
from django.test import Client as HttpClient

from rooms import actions
from rooms.models import RoomEvent, Score
from tests.rooms.conftest import SECRET, db_async


def put(client, room_id, body):
    return client.put(
        f"/api/v1/rooms/{room_id}/scorecard",
        data=json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
    )


def score_events(room):
    return list(
        RoomEvent.objects.filter(room=room, type="score.saved").values_list("data", flat=True)
    )


def test_get_shows_each_plan_question_with_its_rubric(room, bank, alice, client):
    client.force_login(alice)
    card = client.get(f"/api/v1/rooms/{room.room.id}/scorecard").json()
    assert card == {
        "seat": room.seats["interviewer"].id,
        "questions": [
            {
                "id": q.id,
                "title": q.title,
                "text": f"q-{q.id}",
                "rubric": [f"{SECRET} rubric"],
                "shown": False,
            }
            for q in bank[:2]
        ],  # fmt: skip
        "ratings": [],
        "recommendation": None,
        "comment": "",
        "updated_at": None,
    }


def test_put_saves_ratings_and_recommendation_and_records_them(room, bank, alice, client):
    client.force_login(alice)
    body = {
        "ratings": [
            {"question": bank[0].id, "rating": 3, "comment": "clean"},
            {"question": bank[1].id, "rating": 1, "comment": ""},
        ],
        "recommendation": "yes",
        "comment": "hire",
    }
    response = put(client, room.room.id, body)
    assert response.status_code == 200
    card = response.json()
    assert [(r["question"], r["rating"], r["comment"]) for r in card["ratings"]] == [
        (bank[0].id, 3, "clean"),
        (bank[1].id, 1, ""),
    ]
    assert (card["recommendation"], card["comment"]) == ("yes", "hire")
    assert client.get(f"/api/v1/rooms/{room.room.id}/scorecard").json() == card
    seat = room.seats["interviewer"].id
    assert score_events(room.room) == [
        {"seat": seat, "question": q, "rating": r, "recommendation": v, "comment": c}
        for q, r, v, c in [
            (bank[0].id, 3, None, "clean"),
            (bank[1].id, 1, None, ""),
            (None, None, "yes", "hire"),
        ]
    ]
    # Saving the same card again changes nothing and records nothing; a change records itself.
    assert put(client, room.room.id, body).json()["ratings"] == card["ratings"]
    assert len(score_events(room.room)) == 3
    body["ratings"][1]["rating"] = 2
    put(client, room.room.id, body)
    assert len(score_events(room.room)) == 4
    assert Score.objects.get(item__question=bank[1]).rating == 2


@pytest.mark.parametrize(
    "body, message",
    [
        ({"ratings": [{"question": "FIRST", "rating": 5}]}, "rating must be a whole number"),
        ({"ratings": [{"question": "FIRST", "rating": True}]}, "rating must be a whole number"),
        ({"ratings": [{"question": 999999, "rating": 2}]}, "no such question"),
        ({"ratings": [{"question": "THIRD", "rating": 2}]}, "not in this room's plan"),
        ({"ratings": [{"question": "FIRST", "rating": 2}, {"question": "FIRST", "rating": 3}]},
         "rated twice"),
        ({"ratings": [{"question": "FIRST", "rating": 2, "color": "red"}]}, "an object with"),
        ({"ratings": "all good"}, "ratings must be a list"),
        ({"ratings": [{"question": "FIRST", "rating": 2}], "recommendation": "maybe"},
         "recommendation must be one of"),
        ({"comment": 7}, "comment must be a string"),
        ("[1, 2]", "send a JSON object"),
        ("{not json", "JSON parse error"),
    ],
)  # fmt: skip
def test_bad_scorecards_are_refused_and_change_nothing(room, bank, alice, client, body, message):
    client.force_login(alice)
    before = {"ratings": [{"question": bank[0].id, "rating": 4, "comment": "kept"}]}
    assert put(client, room.room.id, before).status_code == 200
    events = RoomEvent.objects.count()
    text = json.dumps(body) if not isinstance(body, str) else body
    text = text.replace('"FIRST"', str(bank[0].id)).replace('"THIRD"', str(bank[2].id))
    response = put(client, room.room.id, text)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert [(s.item.question_id, s.rating, s.comment) for s in Score.objects.all()] == [
        (bank[0].id, 4, "kept")
    ]
    assert RoomEvent.objects.count() == events


def test_scorecard_is_saved_after_the_room_ended(room, bank, alice, client):
    actions.join(room.seats["interviewer"], "chan-i")
    actions.end_room(room.seats["interviewer"])
    client.force_login(alice)
    response = put(client, room.room.id, {"recommendation": "strong_no", "comment": "late call"})
    assert response.status_code == 200 and response.json()["recommendation"] == "strong_no"


def test_candidate_and_observer_cannot_save_or_read_a_scorecard(room, bank):
    for role in ("candidate", "observer"):
        client = HttpClient()
        client.get(f"/r/{room.room.id}/join/{room.tokens[role]}")
        assert put(client, room.room.id, {"recommendation": "yes"}).status_code == 404
        assert client.get(f"/api/v1/rooms/{room.room.id}/scorecard").status_code == 404
    assert not Score.objects.exists()


def test_a_browser_bound_by_link_needs_the_csrf_token(room, bank):
    """An interviewer seat reached through its link is not a login: CSRF is still checked."""
    client = HttpClient(enforce_csrf_checks=True)
    client.get(f"/r/{room.room.id}/join/{room.tokens['interviewer']}")
    response = put(client, room.room.id, {"recommendation": "yes"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    client.get(f"/r/{room.room.id}/review/")  # the review page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.put(
        f"/api/v1/rooms/{room.room.id}/scorecard",
        data=json.dumps({"recommendation": "yes"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert Score.objects.get().recommendation == "yes"


@pytest.mark.django_db(transaction=True)
async def test_a_saved_scorecard_reaches_interviewers_only(room, bank, alice, clients):
    interviewer = await clients(room.room.id, room.tokens["interviewer"])
    candidate = await clients(room.room.id, room.tokens["candidate"])
    await interviewer.drain()
    await candidate.drain()
    client = HttpClient()
    await db_async(client.force_login)(alice)
    body = {"ratings": [{"question": bank[0].id, "rating": 3, "comment": f"{SECRET} ok"}]}
    response = await db_async(put)(client, room.room.id, body)
    assert response.status_code == 200
    frame = await interviewer.receive_type("score.saved")
    assert frame["score"]["question"] == bank[0].id and frame["score"]["rating"] == 3
    assert SECRET not in str(await candidate.drain())
