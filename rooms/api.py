"""REST API v1 (Django REST framework): rooms, transcripts, code at an instant, scorecards.

Interviewers only. Thin views: rooms/seats.py says who may review a room (`reviewer_seat`),
rooms/serializers.py builds every payload, rooms/api_serializers.py shapes and documents it,
rooms/actions makes every change. A request that may not review a room learns nothing about
it: 404, or 403 when not signed in at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms import actions, transcript
from rooms import api_serializers as docs
from rooms import serializers as s
from rooms.api_serializers import emit
from rooms.models import Room, Seat
from rooms.seats import reviewer_seat


class MarkdownRenderer(BaseRenderer):
    """`?format=md`: the transcript rendered for people."""

    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, dict) and "events" in data and "room" in data:
            return transcript.render_markdown(data).encode()
        # Errors keep their message.
        detail = data.get("detail", data) if isinstance(data, dict) else data
        return f"{detail}\n".encode()


class BadRequest(exceptions.APIException):
    """400 with a plain message: {"detail": "..."}."""

    status_code = 400
    default_code = "invalid"


def parse_instant(value: str | None, name: str = "at") -> datetime:
    """An ISO 8601 instant; one without a zone is taken as UTC."""
    try:
        instant = parse_datetime(value or "")
        if instant is not None:
            instant = make_aware(instant, UTC) if is_naive(instant) else instant
            instant.astimezone(UTC)  # 0001-01-01T00:00+14:00 is before the first instant
    except (ValueError, OverflowError):  # well-formed but impossible, e.g. month 13
        instant = None
    if instant is None:
        raise BadRequest(f"{name} must be an ISO 8601 instant, e.g. 2026-11-25T10:00:00Z")
    return instant


class ReviewView(APIView):
    """Base: session auth, JSON, and the room's reviewer seat (or a refusal)."""

    authentication_classes = [SessionAuthentication]
    # Links bind interviewer seats to browsers without an account, so the seat decides.
    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    def seat(self, request: Request, room_id: str) -> Seat:
        seat = reviewer_seat(room_id, request)
        if seat is None:
            if not request.user.is_authenticated and not request.session.get("seats"):
                raise exceptions.NotAuthenticated()
            raise exceptions.NotFound()
        return seat


@extend_schema(responses=docs.RoomSummary(many=True))
class RoomList(APIView):
    """The rooms you own or hold an interviewer seat in, newest first."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        held = Q(seats__user=request.user, seats__role=Seat.Role.INTERVIEWER)
        rooms = (
            Room.objects.filter(Q(owner=request.user) | (held & Q(seats__revoked_at=None)))
            .distinct()
            .prefetch_related("seats")
            .order_by("-created_at")
        )
        return Response(emit(docs.RoomSummary, [s.room_summary(r) for r in rooms], many=True))


@extend_schema(responses=docs.RoomSummary)
class RoomDetail(ReviewView):
    def get(self, request: Request, room_id: str) -> Response:
        return Response(emit(docs.RoomSummary, s.room_summary(self.seat(request, room_id).room)))


@extend_schema(
    parameters=[
        OpenApiParameter("format", str, enum=["json", "md"], description="json (default) or md"),
        OpenApiParameter("download", int, enum=[0, 1], description="1: as an attachment"),
        OpenApiParameter("at", str, description="ISO 8601: questions' code as it stood then"),
    ],
    responses={(200, "application/json"): docs.Transcript, (200, "text/markdown"): str},
)
class TranscriptView(ReviewView):
    """The room's transcript (the contract's JSON), or its Markdown rendering."""

    renderer_classes = [JSONRenderer, MarkdownRenderer]

    def get(self, request: Request, room_id: str) -> Response:
        seat = self.seat(request, room_id)
        at = request.query_params.get("at")
        data = transcript.build(seat.room, parse_instant(at) if at else None, reader=seat)
        response = Response(emit(docs.Transcript, data))
        room = seat.room
        if request.query_params.get("download") == "1" or request.accepted_renderer.format == "md":
            extension = request.accepted_renderer.format
            response["Content-Disposition"] = f'attachment; filename="room-{room.id}.{extension}"'
        return response


@extend_schema(
    parameters=[OpenApiParameter("at", str, required=True, description="ISO 8601 instant")],
    responses=docs.CodeAt,
)
class CodeAtView(ReviewView):
    """Each shown question's code as it stood at instant `at`."""

    def get(self, request: Request, room_id: str) -> Response:
        room = self.seat(request, room_id).room
        at = parse_instant(request.query_params.get("at"))
        data = {"at": s.iso(at), "questions": transcript.questions_with_code(room, at)}
        return Response(emit(docs.CodeAt, data))


@extend_schema(
    parameters=[
        OpenApiParameter(
            "checkpoints", int, enum=[0, 1], description="1: include the stored checkpoints"
        )
    ],
    responses=docs.UpdateLog,
)
class UpdatesView(ReviewView):
    """The whole update log (who sent each update, and when) for replaying it in a browser."""

    def get(self, request: Request, room_id: str) -> Response:
        room = self.seat(request, room_id).room
        with_checkpoints = request.query_params.get("checkpoints") == "1"
        return Response(emit(docs.UpdateLog, s.update_log_payload(room, with_checkpoints)))


class ScorecardView(ReviewView):
    """Your scorecard for the room: a rating per question and the overall recommendation."""

    @extend_schema(responses=docs.Scorecard)
    def get(self, request: Request, room_id: str) -> Response:
        return Response(emit(docs.Scorecard, s.scorecard_for(self.seat(request, room_id))))

    @extend_schema(request=docs.ScorecardInput, responses=docs.Scorecard)
    def put(self, request: Request, room_id: str) -> Response:
        seat = self.seat(request, room_id)
        # A browser bound to an interviewer seat by its link is not "authenticated" to DRF,
        # which then skips its CSRF check: check it here for every caller.
        SessionAuthentication().enforce_csrf(request)
        body = request.data if isinstance(request.data, dict) else None
        if body is None:
            raise BadRequest("send a JSON object: {ratings, recommendation, comment}")
        try:
            actions.save_scorecard(
                seat,
                body.get("ratings", []),
                body.get("recommendation"),
                body.get("comment", ""),
            )
        except actions.Forbidden as refused:
            raise exceptions.PermissionDenied(refused.message) from refused
        except actions.RoomError as refused:
            raise BadRequest(refused.message) from refused
        return Response(emit(docs.Scorecard, s.scorecard_for(seat)))
