"""Opening a seat link: the token becomes the session, the URL loses the token."""

import pytest
from django.test import Client as HttpClient

from rooms import actions
from rooms.models import RoomEvent, Seat
from rooms.seats import seat_for_session
from tests.factories import revoked


def join_url(created, role):
    return f"/r/{created.room.id}/join/{created.tokens[role]}"


def test_interviewer_link_binds_the_session_and_redirects_to_a_clean_url(room, client):
    response = client.get(join_url(room, "interviewer"))
    assert response.status_code == 302
    assert response["Location"] == f"/r/{room.room.id}/"
    assert room.tokens["interviewer"] not in response["Location"]
    assert seat_for_session(room.room.id, client.session) == room.seats["interviewer"]


def test_seat_links_send_no_referrer(room, client):
    response = client.get(join_url(room, "observer"))
    assert response["Referrer-Policy"] == "no-referrer"


def test_candidate_without_a_name_is_asked_for_one_first(room, client):
    response = client.get(join_url(room, "candidate"))
    assert response["Location"] == f"/r/{room.room.id}/name"
    form = client.get(response["Location"])
    assert form.status_code == 200 and b'name="name"' in form.content
    done = client.post(f"/r/{room.room.id}/name", {"name": "  Grace Hopper "})
    assert done.status_code == 302 and done["Location"] == f"/r/{room.room.id}/"
    assert Seat.objects.get(id=room.seats["candidate"].id).name == "Grace Hopper"
    assert RoomEvent.objects.filter(room=room.room, type="seat.named").count() == 1
    # Named once, the link goes straight to the room.
    again = HttpClient().get(join_url(room, "candidate"))
    assert again["Location"] == f"/r/{room.room.id}/"


def test_an_empty_name_is_refused(room, client):
    client.get(join_url(room, "candidate"))
    response = client.post(f"/r/{room.room.id}/name", {"name": "   "})
    assert response.status_code == 400 and b"must not be empty" in response.content
    assert Seat.objects.get(id=room.seats["candidate"].id).name == ""


def test_name_form_needs_a_seat(room, client):
    response = client.post(f"/r/{room.room.id}/name", {"name": "Mallory"})
    assert response.status_code == 404
    assert not Seat.objects.filter(name="Mallory").exists()


def assert_invalid_link(response, client, room_id):
    assert response.status_code == 404
    assert b"This link is not valid" in response.content
    assert "seats" not in client.session or room_id not in client.session["seats"]


@pytest.mark.parametrize("token", ["garbage", "x" * 300])
def test_bad_tokens_say_the_link_is_not_valid(room, client, token):
    response = client.get(f"/r/{room.room.id}/join/{token}")
    assert_invalid_link(response, client, room.room.id)


def test_revoked_link_is_not_valid(room, client):
    revoked(room.seats["candidate"])
    assert_invalid_link(client.get(join_url(room, "candidate")), client, room.room.id)


def test_token_of_another_room_is_not_valid(room, bank, alice, client):
    other = actions.create_room(alice, "other", "screen")
    response = client.get(f"/r/{room.room.id}/join/{other.tokens['interviewer']}")
    assert_invalid_link(response, client, room.room.id)


def test_candidate_and_observer_links_die_when_the_room_ends(room, client):
    actions.end_room(room.seats["interviewer"])
    for role in ("candidate", "observer"):
        response = client.get(join_url(room, role))
        # Dead, but its holder hears why: the interview ended (not "not valid").
        assert response.status_code == 410
        assert b"This interview has ended" in response.content
        assert b"not valid" not in response.content
        assert "seats" not in client.session or room.room.id not in client.session["seats"]
    # The interviewer can still come back for the write-up.
    assert client.get(join_url(room, "interviewer")).status_code == 302


def test_a_revoked_link_of_an_ended_room_is_still_not_valid(room, client):
    revoked(room.seats["candidate"])
    actions.end_room(room.seats["interviewer"])
    assert_invalid_link(client.get(join_url(room, "candidate")), client, room.room.id)
