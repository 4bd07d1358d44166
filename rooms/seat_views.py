"""Seat links: exchange the token in the URL for the session, then go to a clean URL."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from rooms import services
from rooms.broadcast import publish_sync
from rooms.models import Seat
from rooms.seats import bind_seat_to_session, seat_for_request, seat_for_token


def room_url(room_id: str) -> str:
    return f"/r/{room_id}/"


def invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "rooms/invalid_link.html", status=404)


def join(request: HttpRequest, room_id: str, token: str) -> HttpResponse:
    response = _join(request, room_id, token)
    # The site-wide policy is same-origin (forms need an Origin); a URL holding a token
    # sends no Referer at all.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _join(request: HttpRequest, room_id: str, token: str) -> HttpResponse:
    seat = seat_for_token(room_id, token)
    if seat is None:
        return invalid_link(request)
    bind_seat_to_session(request.session, seat)
    if seat.role == Seat.Role.CANDIDATE and not seat.name:
        return HttpResponseRedirect(f"/r/{room_id}/name")
    return HttpResponseRedirect(room_url(room_id))


@require_http_methods(["GET", "POST"])
def name(request: HttpRequest, room_id: str) -> HttpResponse:
    """A small form: the candidate says their name; no account needed."""
    seat = seat_for_request(room_id, request)
    if seat is None:
        return invalid_link(request)
    error = ""
    value = seat.name
    if request.method == "POST":
        value = request.POST.get("name", "")
        try:
            out = services.set_name(seat, value)
        except services.RoomError as refused:
            error = refused.message
        else:
            publish_sync(room_id, out)
            return HttpResponseRedirect(room_url(room_id))
    context = {"room": seat.room, "name": value, "error": error}
    return render(request, "rooms/name.html", context, status=400 if error else 200)
