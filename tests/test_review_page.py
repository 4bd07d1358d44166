"""The review page at /r/<room>/review/: interviewers only."""

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore

from rooms.models import Room
from rooms.seats import bind_seat_to_session, create_seat
from tests.factories import interviewer, revoked, room_with_seats

pytestmark = pytest.mark.django_db


def bind(client, seat) -> None:
    session = SessionStore()
    bind_seat_to_session(session, seat)
    session.save()
    client.cookies["sessionid"] = session.session_key


def review(client, room: Room):
    return client.get(f"/r/{room.id}/review/")


def config_of(response) -> dict:
    html = response.content.decode()
    start = html.index('id="review-config"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_the_owner_opens_the_review_of_their_room(client):
    owner = interviewer()
    made = room_with_seats(owner, "Backend loop")
    client.force_login(owner)
    response = review(client, made["room"])
    assert response.status_code == 200
    assert config_of(response) == {
        "room": made["room"].id,
        "title": "Backend loop",
        "status": "scheduled",
    }
    html = response.content.decode()
    assert f"/api/v1/rooms/{made['room'].id}/transcript?format=md" in html
    assert f"/api/v1/rooms/{made['room'].id}/transcript?format=json&amp;download=1" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_co_interviewer_reviews_by_login_or_by_their_bound_seat(client):
    made = room_with_seats(interviewer("alice"))
    bob = interviewer("bob")
    create_seat(made["room"], "interviewer", "Bob", bob)
    client.force_login(bob)
    assert review(client, made["room"]).status_code == 200
    client.logout()
    seat, _ = create_seat(made["room"], "interviewer", "Cleo")
    bind(client, seat)
    assert review(client, made["room"]).status_code == 200


@pytest.mark.parametrize("role", ["candidate", "observer"])
def test_a_candidate_or_observer_gets_no_review(client, role):
    made = room_with_seats(interviewer())
    bind(client, made["seats"][role])
    assert client.get(f"/r/{made['room'].id}/").status_code == 200  # their room page works
    response = review(client, made["room"])
    assert response.status_code == 403
    html = response.content.decode()
    assert "review-config" not in html
    assert "Backend loop" not in html


def test_strangers_other_interviewers_and_revoked_seats_get_no_review(client):
    made = room_with_seats(interviewer("alice"))
    assert review(client, made["room"]).status_code == 403
    client.force_login(interviewer("mallory"))
    assert review(client, made["room"]).status_code == 403
    client.logout()
    seat, _ = create_seat(made["room"], "interviewer", "Gone")
    bind(client, seat)
    revoked(seat)
    assert review(client, made["room"]).status_code == 403
    assert client.get("/r/no-such-room/review/").status_code == 403


def test_the_dashboard_links_live_and_ended_rooms_to_their_review(client):
    alice = interviewer("alice")
    live = Room.objects.create(owner=alice, title="Running one", status="live")
    ended = Room.objects.create(owner=alice, title="Finished one", status="ended")
    upcoming = Room.objects.create(owner=alice, title="Later one")
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert f'href="/r/{live.id}/review/"' in html
    assert f'href="/r/{ended.id}/review/"' in html
    assert f'href="/r/{upcoming.id}/review/"' not in html
