"""The room page each seat opens at /r/<room>/."""

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore

from rooms.seats import bind_seat_to_session
from tests.factories import SECRET, interviewer, plan, question, revoked, room_with_seats

pytestmark = pytest.mark.django_db


def bind(client, seat) -> None:
    session = SessionStore()
    bind_seat_to_session(session, seat)
    session.save()
    client.cookies["sessionid"] = session.session_key


def config_of(response) -> dict:
    html = response.content.decode()
    start = html.index('id="room-config"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_a_stranger_is_told_to_use_the_invitation(client):
    made = room_with_seats(interviewer())
    response = client.get(f"/r/{made['room'].id}/")
    assert response.status_code == 403
    assert "needs an invitation" in response.content.decode()


def test_the_owner_opens_the_room_as_interviewer(client):
    owner = interviewer()
    made = room_with_seats(owner)
    client.force_login(owner)
    response = client.get(f"/r/{made['room'].id}/")
    assert response.status_code == 200
    assert config_of(response)["role"] == "interviewer"
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_bound_candidate_gets_the_room_and_nothing_interviewer_only(client):
    owner = interviewer()
    made = room_with_seats(owner)
    q = question()
    plan(made["room"], q)
    made["room"].current_item = made["room"].plan.first()
    made["room"].save()
    bind(client, made["seats"]["candidate"])
    response = client.get(f"/r/{made['room'].id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert config_of(response) == {
        "room": made["room"].id,
        "role": "candidate",
        "name": "Ada",
        "seat": made["seats"]["candidate"].id,
        "kind": "interview",
    }
    assert SECRET not in html
    assert "Backend loop" in html


def test_the_page_loads_the_built_room_script_and_styles(client):
    made = room_with_seats(interviewer())
    bind(client, made["seats"]["observer"])
    html = client.get(f"/r/{made['room'].id}/").content.decode()
    assert '<script type="module" src="/static/assets/room-' in html
    assert '<link rel="stylesheet" href="/static/assets/room-' in html
    assert "Read-only: you are observing" in html


def test_a_revoked_seat_no_longer_opens_the_room(client):
    made = room_with_seats(interviewer())
    bind(client, made["seats"]["candidate"])
    revoked(made["seats"]["candidate"])
    assert client.get(f"/r/{made['room'].id}/").status_code == 403


def test_another_interviewer_cannot_open_someone_elses_room(client):
    made = room_with_seats(interviewer("alice"))
    client.force_login(interviewer("mallory"))
    assert client.get(f"/r/{made['room'].id}/").status_code == 403
