"""The HTML pages: the interviewer's dashboard, seat links, the room page every seat opens,
and the review page.

Thin views: rooms.actions makes the changes, rooms.seats says who a request is, rooms.access
what it may do. The room page carries no question data of its own; the control channel's
role-filtered `room.state` fills it, so a candidate's page can never hold interviewer-only
text. The review page carries only the room's id and title; its script reads everything else
from the interviewer-only API, which checks access again on every call.
"""

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from questions.models import Template
from rooms import actions
from rooms.invitations import send_invitation
from rooms.models import Room, Seat
from rooms.seats import (
    bind_seat_to_session,
    ended_for_session,
    ended_for_token,
    room_for_reviewer,
    seat_for_request,
    seat_for_token,
    seat_for_user,
)

LINK_LABELS = {
    "candidate": "Candidate link",
    "interviewer": "Co-interviewer link",
    "observer": "Observer link (read-only)",
}


class CreateRoomForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    template = forms.SlugField(required=False)
    kind = forms.ChoiceField(choices=Room.Kind.choices, initial=Room.Kind.INTERVIEW)
    # An ISO 8601 instant with its offset (the page turns the viewer's local time into one).
    scheduled_at = forms.DateTimeField(required=False)
    duration_minutes = forms.IntegerField(required=False, min_value=5, max_value=480)
    invite_email = forms.EmailField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("invite_email") and not data.get("scheduled_at"):
            self.add_error("scheduled_at", "An invitation needs a date and time.")
        return data


def candidate_names(room: Room) -> list[str]:
    return [
        seat.name
        for seat in room.seats.all()
        if seat.role == Seat.Role.CANDIDATE and seat.name and seat.revoked_at is None
    ]


def account(request: HttpRequest) -> User:
    """The signed-in interviewer (behind login_required)."""
    return cast(User, request.user)


def join_url(request: HttpRequest, room_id: str, token: str) -> str:
    return request.build_absolute_uri(f"/r/{room_id}/join/{token}")


@never_cache
@login_required
def dashboard(request: HttpRequest, form: CreateRoomForm | None = None) -> HttpResponse:
    rooms = Room.objects.filter(owner=account(request)).prefetch_related("seats")
    rows: list[dict[str, Any]] = [
        {"room": room, "with": ", ".join(candidate_names(room))}
        for room in rooms.order_by("-created_at")
    ]
    sections = [
        {"key": key, "title": title, "empty": empty,
         "rows": [row for row in rows if row["room"].status == status]}
        for key, title, status, empty in (
            ("live", "Live now", Room.Status.LIVE, "No interview is running."),
            ("upcoming", "Upcoming", Room.Status.SCHEDULED, "Create a room to invite a candidate."),
            ("ended", "Ended", Room.Status.ENDED, "Finished interviews appear here."),
        )
    ]  # fmt: skip
    context = {
        "sections": sections,
        "templates": Template.objects.all(),
        "form": form or CreateRoomForm(),
        "link_roles": list(LINK_LABELS.items()),
        # Seat links exist in clear only once: shown on the page right after they are made.
        "new_links": request.session.pop("new_links", None),
    }
    return render(request, "rooms/dashboard.html", context, status=400 if form else 200)


@require_POST
@login_required
def create_room(request: HttpRequest) -> HttpResponse:
    form = CreateRoomForm(request.POST)
    if not form.is_valid():
        return dashboard(request, form)
    try:
        created = actions.create_room(
            owner=account(request),
            title=form.cleaned_data["title"].strip(),
            template_slug=form.cleaned_data["template"] or None,
            kind=form.cleaned_data["kind"],
        )
    except actions.RoomError as error:
        form.add_error(None, error.message)
        return dashboard(request, form)
    room, tokens = created.room, created.tokens
    data = form.cleaned_data
    room.scheduled_at, room.duration_minutes = data["scheduled_at"], data["duration_minutes"]
    room.invite_email = data["invite_email"] or ""
    room.save(update_fields=["scheduled_at", "duration_minutes", "invite_email"])
    send_invitation(room, join_url(request, room.id, tokens["candidate"]))
    # The owner's own seat is reached by login; a co-interviewer gets a seat of their own.
    _, co_token, _ = actions.renew_link(created.seats["interviewer"], Seat.Role.INTERVIEWER)
    links = {
        "candidate": tokens["candidate"],
        "interviewer": co_token,
        "observer": tokens["observer"],
    }
    request.session["new_links"] = {
        "room": room.id,
        "heading": f"“{room.title or 'Untitled interview'}” is ready",
        "links": [
            {"label": LINK_LABELS[role], "url": join_url(request, room.id, token)}
            for role, token in links.items()
        ],
    }
    return redirect("dashboard")


@require_POST
@login_required
def renew_link(request: HttpRequest, room_id: str, role: str) -> HttpResponse:
    """A new link for the room's candidate, co-interviewer or observer seat (links are kept
    hashed, so showing one again means a new one); the old link dies at once, and whoever
    holds it is out of the room."""
    if role not in LINK_LABELS:
        raise Http404
    room = get_object_or_404(Room, id=room_id, owner=request.user)
    owner_seat = seat_for_user(room_id, request.user)
    if owner_seat is None:
        raise Http404
    try:
        _, token, _ = actions.renew_link(owner_seat, role)
    except actions.RoomError as refused:
        raise Http404 from refused
    if role == Seat.Role.CANDIDATE and room.invite_email:
        # The invitation's link changed: the calendar event is updated (a higher SEQUENCE).
        room.invite_sequence += 1
        room.save(update_fields=["invite_sequence"])
        send_invitation(room, join_url(request, room.id, token))
    request.session["new_links"] = {
        "room": room.id,
        "heading": f"New {LINK_LABELS[role].lower()} for “{room.title or 'Untitled interview'}”",
        "links": [{"label": LINK_LABELS[role], "url": join_url(request, room.id, token)}],
    }
    return redirect("dashboard")


@never_cache
def room_page(request: HttpRequest, room_id: str) -> HttpResponse:
    seat = seat_for_request(room_id, request)
    if seat is None:
        ended = ended_for_session(room_id, request.session)
        if ended is not None:
            return interview_ended(request, ended)
        return render(request, "rooms/no_seat.html", status=403)
    if waiting(seat):
        return render(request, "rooms/waiting.html", {"room": seat.room, "seat": seat})
    return render(
        request,
        "rooms/room.html",
        {"room": seat.room, "seat": seat, "page_config": page_config(seat)},
    )


WAITING_FROM = timedelta(minutes=5)  # the room opens this long before the scheduled time


def waiting(seat: Seat) -> bool:
    """A candidate early for a scheduled interview waits outside (the room would start)."""
    room = seat.room
    return (
        seat.role == Seat.Role.CANDIDATE
        and room.status == Room.Status.SCHEDULED
        and room.scheduled_at is not None
        and timezone.now() < room.scheduled_at - WAITING_FROM
    )


def page_config(seat: Seat) -> dict[str, Any]:
    """What the script needs before the control channel answers; nothing about questions."""
    return {
        "room": seat.room_id,
        "role": seat.role,
        "name": seat.name or seat.get_role_display(),
        "seat": seat.id,
        "kind": seat.room.kind,
    }


# --- seat links: exchange the token in the URL for the session, then go to a clean URL ----


def room_url(room_id: str) -> str:
    return f"/r/{room_id}/"


def invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "rooms/invalid_link.html", status=404)


def interview_ended(request: HttpRequest, room: Room) -> HttpResponse:
    """A candidate's or observer's link of a room that has ended: say so, not "not valid"."""
    return render(request, "rooms/ended.html", {"room": room}, status=410)


def join(request: HttpRequest, room_id: str, token: str) -> HttpResponse:
    response = _join(request, room_id, token)
    # The site-wide policy is same-origin (forms need an Origin); a URL holding a token
    # sends no Referer at all.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _join(request: HttpRequest, room_id: str, token: str) -> HttpResponse:
    seat = seat_for_token(room_id, token)
    if seat is None:
        ended = ended_for_token(room_id, token)
        return invalid_link(request) if ended is None else interview_ended(request, ended)
    bind_seat_to_session(request.session, seat)
    if seat.role != Seat.Role.INTERVIEWER and not seat.name:
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
            actions.set_name(seat, value)
        except actions.RoomError as refused:
            error = refused.message
        else:
            return HttpResponseRedirect(room_url(room_id))
    context = {"room": seat.room, "seat": seat, "name": value, "error": error}
    return render(request, "rooms/name.html", context, status=400 if error else 200)


# --- review ---------------------------------------------------------------------------


@never_cache
def review_page(request: HttpRequest, room_id: str) -> HttpResponse:
    room = room_for_reviewer(room_id, request)
    if room is None:
        return render(request, "rooms/no_review.html", status=403)
    config = {"room": room.id, "title": room.title, "status": room.status}
    return render(request, "rooms/review.html", {"room": room, "review_config": config})
