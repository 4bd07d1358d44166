"""Only the room's interviewers reach its API: never a candidate, an observer, a stranger."""

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from rooms import actions
from rooms.seats import create_seat
from tests.rooms.conftest import SECRET

ENDPOINTS = ["", "transcript", "transcript?format=md", "code?at=2026-11-25T10:00:00Z",
             "updates", "scorecard"]  # fmt: skip


@pytest.fixture
def live(room, bank):
    """A live room with interviewer-only data in it: notes, a score, the plan's rubrics."""
    interviewer = room.seats["interviewer"]
    actions.join(interviewer, "chan-i")
    actions.show_question(interviewer, bank[0].id)
    actions.save_notes(interviewer, f"{SECRET} notes")
    actions.save_score(interviewer, bank[0].id, 2, None, f"{SECRET} comment")
    return room


def get(client, room_id, endpoint):
    return client.get(f"/api/v1/rooms/{room_id}/{endpoint}")


def link_client(room, role):
    client = HttpClient()
    assert client.get(f"/r/{room.room.id}/join/{room.tokens[role]}").status_code == 302
    return client


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_owner_reaches_every_endpoint(live, alice, client, endpoint):
    client.force_login(alice)
    assert get(client, live.room.id, endpoint).status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_co_interviewer_account_reaches_every_endpoint(live, client, endpoint):
    bob = User.objects.create_user("bob")
    create_seat(live.room, "interviewer", "Bob", bob)
    client.force_login(bob)
    assert get(client, live.room.id, endpoint).status_code == 200
    assert [room["id"] for room in client.get("/api/v1/rooms/").json()] == [live.room.id]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_co_interviewer_link_reaches_every_endpoint(live, endpoint):
    client = link_client(live, "interviewer")
    assert get(client, live.room.id, endpoint).status_code == 200


@pytest.mark.parametrize("role", ["candidate", "observer"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_candidate_and_observer_links_are_refused(live, role, endpoint):
    client = link_client(live, role)
    response = get(client, live.room.id, endpoint)
    assert response.status_code == 404
    assert SECRET.encode() not in response.content and b"two" not in response.content.lower()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_refused(live, client, endpoint):
    response = get(client, live.room.id, endpoint)
    assert response.status_code == 403 and SECRET.encode() not in response.content
    assert client.get("/api/v1/rooms/").status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_interviewer_is_refused(live, client, endpoint):
    client.force_login(User.objects.create_user("mallory"))
    response = get(client, live.room.id, endpoint)
    assert response.status_code == 404 and SECRET.encode() not in response.content
    assert client.get("/api/v1/rooms/").json() == []


def test_a_revoked_interviewer_seat_is_refused(live, client):
    bob = User.objects.create_user("bob")
    seat, _ = create_seat(live.room, "interviewer", "Bob", bob)
    actions.revoke(live.seats["interviewer"], seat.id)
    client.force_login(bob)
    assert get(client, live.room.id, "transcript").status_code == 404


def test_unknown_room_is_404(alice, client, db):
    client.force_login(alice)
    assert get(client, "no-such-room", "transcript").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_notes_belong_to_their_author_after_a_pair_swap(pair_room):
    """The peer who joined by link plays the interviewer after a swap: they may review the
    room, but the other peer's private notes stay private."""
    owner_seat = pair_room.seats["interviewer"]
    actions.save_notes(owner_seat, "OWNER-PRIVATE: shaky on recursion")
    peer = link_client(pair_room, "candidate")
    actions.swap_roles(owner_seat)
    actions.save_notes(pair_room.seats["candidate"], "PEER-OWN: asked great questions")
    for endpoint in ("transcript", "transcript?format=md"):
        response = get(peer, pair_room.room.id, endpoint)
        assert response.status_code == 200
        body = response.content.decode()
        assert "PEER-OWN" in body and "OWNER-PRIVATE" not in body
    assert "OWNER-PRIVATE" not in peer.get(f"/r/{pair_room.room.id}/review/").content.decode()
    owner = HttpClient()
    owner.force_login(pair_room.room.owner)
    body = get(owner, pair_room.room.id, "transcript").content.decode()
    assert "OWNER-PRIVATE" in body and "PEER-OWN" not in body
