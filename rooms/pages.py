"""The HTML pages: the interviewer's dashboard and the room page every seat opens.

Thin views: rooms/services.py makes the changes, rooms/seats.py says who a request is.
The room page carries no question data of its own; the control channel's role-filtered
`room.state` fills it, so a candidate's page can never hold interviewer-only text.
"""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from questions.models import Template
from rooms import services
from rooms.models import Room, Seat
from rooms.seats import rotate_token, seat_for_request

LINK_LABELS = {
    "candidate": "Candidate link",
    "observer": "Observer link (read-only)",
    "interviewer": "Co-interviewer link",
}


class CreateRoomForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    template = forms.SlugField(required=False)
    kind = forms.ChoiceField(choices=Room.Kind.choices, initial=Room.Kind.INTERVIEW)


def candidate_names(room: Room) -> list[str]:
    return [
        seat.name for seat in room.seats.all() if seat.role == Seat.Role.CANDIDATE and seat.name
    ]


def join_url(request: HttpRequest, room_id: str, token: str) -> str:
    return request.build_absolute_uri(f"/r/{room_id}/join/{token}")


@never_cache
@login_required
def dashboard(request: HttpRequest, form: CreateRoomForm | None = None) -> HttpResponse:
    rooms = Room.objects.filter(owner=request.user).prefetch_related("seats")
    rows = [
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
        created = services.create_room(
            owner=request.user,
            title=form.cleaned_data["title"].strip(),
            template_slug=form.cleaned_data["template"] or None,
            kind=form.cleaned_data["kind"],
        )
    except services.RoomError as error:
        form.add_error(None, error.message)
        return dashboard(request, form)
    room, tokens = created.room, created.tokens
    request.session["new_links"] = {
        "room": room.id,
        "heading": f"“{room.title or 'Untitled interview'}” is ready",
        "links": [
            {"label": LINK_LABELS[role], "url": join_url(request, room.id, token)}
            for role, token in tokens.items()
            if role in ("candidate", "observer")
        ],
    }
    return redirect("dashboard")


@require_POST
@login_required
def rotate_link(request: HttpRequest, room_id: str, role: str) -> HttpResponse:
    """A new link for the room's candidate or observer seat; the old link dies at once."""
    if role not in ("candidate", "observer"):
        raise Http404
    room = get_object_or_404(Room, id=room_id, owner=request.user)
    seat = room.seats.filter(role=role, revoked_at__isnull=True).order_by("id").first()
    if seat is None or room.status == Room.Status.ENDED:
        raise Http404
    token = rotate_token(seat)
    request.session["new_links"] = {
        "room": room.id,
        "heading": f"New {role} link for “{room.title or 'Untitled interview'}”",
        "links": [{"label": LINK_LABELS[role], "url": join_url(request, room.id, token)}],
    }
    return redirect("dashboard")


@never_cache
def room_page(request: HttpRequest, room_id: str) -> HttpResponse:
    seat = seat_for_request(room_id, request)
    if seat is None:
        return render(request, "rooms/no_seat.html", status=403)
    return render(
        request,
        "rooms/room.html",
        {"room": seat.room, "seat": seat, "page_config": page_config(seat)},
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
