"""The interviewer's dashboard at /, login and logout, and making a new seat link."""

import pytest
from django.test import Client

from rooms.models import Room
from rooms.seats import seat_for_token
from tests.factories import interviewer, room_with_seats

pytestmark = pytest.mark.django_db


def test_the_dashboard_asks_for_a_login_first(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_an_interviewer_logs_in_and_out(client):
    interviewer("alice", "pw-alice-123")
    assert "Log in" in client.get("/login/").content.decode()
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    response = client.post("/login/", {"username": "alice", "password": "pw-alice-123"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_the_dashboard_lists_my_rooms_by_state_and_nobody_elses(client):
    alice = interviewer("alice")
    room_with_seats(alice, "Upcoming one")
    Room.objects.create(owner=alice, title="Running one", status="live")
    Room.objects.create(owner=alice, title="Finished one", status="ended")
    room_with_seats(interviewer("bob"), "Bob's secret loop")
    client.force_login(alice)
    html = client.get("/").content.decode()
    live, upcoming, ended = (html.index(h) for h in ("Live now", "Upcoming", "Ended"))
    assert live < html.index("Running one") < upcoming < html.index("Upcoming one") < ended
    assert ended < html.index("Finished one")
    assert 'Upcoming one <span class="muted">· with Ada</span>' in html
    assert "Bob's secret loop" not in html


def test_a_new_candidate_link_is_shown_once_and_the_old_one_dies(client):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    room_id, old = made["room"].id, made["tokens"]["candidate"]
    holder = Client()  # the browser that opened the old link keeps no way in either
    assert holder.get(f"/r/{room_id}/join/{old}").status_code == 302
    assert holder.get(f"/r/{room_id}/").status_code == 200
    client.force_login(alice)
    response = client.post(f"/r/{room_id}/links/candidate/new")
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert "New candidate link" in html
    new = html.split(f"/r/{room_id}/join/")[1].split('"')[0]
    renewed = seat_for_token(room_id, new)
    assert renewed is not None and renewed.role == "candidate"
    assert renewed != made["seats"]["candidate"]
    assert seat_for_token(room_id, old) is None
    assert holder.get(f"/r/{room_id}/").status_code == 403
    # Shown only once: the next visit no longer carries it.
    assert f"/join/{new}" not in client.get("/").content.decode()


def test_only_the_owner_can_make_new_links(client):
    made = room_with_seats(interviewer("alice"))
    client.force_login(interviewer("mallory"))
    response = client.post(f"/r/{made['room'].id}/links/candidate/new")
    assert response.status_code == 404
    assert seat_for_token(made["room"].id, made["tokens"]["candidate"]) is not None


def test_links_are_made_for_candidate_co_interviewer_and_observer_seats(client):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    client.force_login(alice)
    assert client.post(f"/r/{made['room'].id}/links/owner/new").status_code == 404
    # A co-interviewer's link is a seat of its own: the owner's seat keeps its link.
    assert client.post(f"/r/{made['room'].id}/links/interviewer/new").status_code == 302
    assert seat_for_token(made["room"].id, made["tokens"]["interviewer"]) is not None
    co = made["room"].seats.filter(role="interviewer", user=None, revoked_at=None)
    assert co.count() == 1
    assert client.get(f"/r/{made['room'].id}/links/candidate/new").status_code == 405


def test_creating_a_room_shows_its_links_once(client):
    alice = interviewer("alice")
    client.force_login(alice)
    response = client.post("/rooms/new", {"title": "Ada L., backend", "kind": "interview"})
    assert response["Location"] == "/"
    room = Room.objects.get(owner=alice)
    assert (room.title, room.kind) == ("Ada L., backend", "interview")
    html = client.get("/").content.decode()
    assert "“Ada L., backend” is ready" in html
    links = {role: html.split("Observer link" if role == "observer" else "Candidate link")[1]
             for role in ("candidate", "observer")}  # fmt: skip
    for role, rest in links.items():
        token = rest.split(f"/r/{room.id}/join/")[1].split('"')[0]
        assert seat_for_token(room.id, token).role == role
    assert f"/r/{room.id}/join/" not in client.get("/").content.decode()


def test_a_bad_room_form_says_what_is_wrong_and_creates_nothing(client):
    client.force_login(interviewer("alice"))
    response = client.post("/rooms/new", {"title": "x", "kind": "party"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post("/rooms/new", {"title": "x", "kind": "pair", "template": "no-such"})
    assert response.status_code == 400
    assert "no-such" in response.content.decode()
    assert not Room.objects.exists()
