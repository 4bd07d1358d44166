"""The review page: playback, transcript, activity and scorecard of one room (interviewers only).

The page carries only the room's id and title; its script reads everything else from the
interviewer-only API, which checks access again on every call.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from rooms.seats import room_for_reviewer


@never_cache
def review_page(request: HttpRequest, room_id: str) -> HttpResponse:
    room = room_for_reviewer(room_id, request)
    if room is None:
        return render(request, "rooms/no_review.html", status=403)
    config = {"room": room.id, "title": room.title, "status": room.status}
    return render(request, "rooms/review.html", {"room": room, "review_config": config})
