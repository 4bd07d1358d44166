"""The API's payloads: every response goes out through one of these serializers, and the
OpenAPI schema (drf-spectacular) is generated from the same classes, so the two cannot drift.

rooms.serializers builds the data (the role-filtered payloads every frame and page share);
`emit` passes it through the response's serializer, which keeps exactly the declared fields
and fails loudly on a missing one. rooms.actions validates input.
"""

from typing import Any

from rest_framework import serializers

from rooms.models import Score


class RoomSummary(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["interview", "pair"])
    status = serializers.ChoiceField(choices=["scheduled", "live", "ended"])
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    candidates = serializers.ListField(child=serializers.CharField())


class Participant(serializers.Serializer):
    seat = serializers.IntegerField()
    role = serializers.CharField()
    name = serializers.CharField()
    revoked = serializers.BooleanField()


class Event(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.IntegerField(allow_null=True, help_text="seat id, null for the server")
    type = serializers.CharField()
    data = serializers.DictField()


class QuestionCode(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    prompt = serializers.CharField(help_text="what the candidate saw (Markdown)")
    text = serializers.CharField(help_text="name of the question's Y.Text")
    language = serializers.CharField()
    code = serializers.CharField()


class NoteRecord(serializers.Serializer):
    seat = serializers.IntegerField()
    name = serializers.CharField()
    text = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ScoreRecord(serializers.Serializer):
    seat = serializers.IntegerField()
    name = serializers.CharField()
    question = serializers.IntegerField(allow_null=True, help_text="null: the overall verdict")
    rating = serializers.IntegerField(allow_null=True, min_value=1, max_value=4)
    recommendation = serializers.ChoiceField(choices=Score.Recommendation.values, allow_null=True)
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class Transcript(serializers.Serializer):
    room = RoomSummary()
    participants = Participant(many=True)
    events = Event(many=True)
    questions = QuestionCode(many=True)
    code_at = serializers.DateTimeField(allow_null=True)
    notes = NoteRecord(many=True)
    scores = ScoreRecord(many=True)


class CodeAt(serializers.Serializer):
    at = serializers.DateTimeField()
    questions = QuestionCode(many=True)


class LoggedUpdate(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.IntegerField(help_text="ms since the epoch")
    seat = serializers.IntegerField(allow_null=True)
    data = serializers.CharField(help_text="base64 of the Yjs update")


class Checkpoint(serializers.Serializer):
    upto = serializers.IntegerField(help_text="state after every update with id <= upto")
    at = serializers.IntegerField(help_text="ms since the epoch")
    data = serializers.CharField(help_text="base64 of the full Yjs state")


class SeatRecord(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    name = serializers.CharField()


class TextRecord(serializers.Serializer):
    question = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    language = serializers.CharField()


class UpdateLog(serializers.Serializer):
    started_at = serializers.IntegerField(allow_null=True)
    ended_at = serializers.IntegerField(allow_null=True)
    updates = LoggedUpdate(many=True)
    checkpoints = Checkpoint(many=True)
    seats = SeatRecord(many=True)
    texts = TextRecord(many=True)


class RubricQuestion(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    rubric = serializers.ListField(child=serializers.JSONField())
    shown = serializers.BooleanField()


class Rating(serializers.Serializer):
    question = serializers.IntegerField()
    rating = serializers.IntegerField(allow_null=True, min_value=1, max_value=4)
    comment = serializers.CharField(required=False, allow_blank=True)


class RatingRecord(Rating):
    updated_at = serializers.DateTimeField()


class ScorecardInput(serializers.Serializer):
    ratings = Rating(many=True, required=False)
    recommendation = serializers.ChoiceField(
        choices=Score.Recommendation.values, allow_null=True, required=False
    )
    comment = serializers.CharField(required=False, allow_blank=True)


class Scorecard(serializers.Serializer):
    seat = serializers.IntegerField()
    questions = RubricQuestion(many=True)
    ratings = RatingRecord(many=True)
    recommendation = serializers.ChoiceField(choices=Score.Recommendation.values, allow_null=True)
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)


def emit(serializer: type[serializers.Serializer], data: Any, many: bool = False) -> Any:
    """`data` shaped by the response serializer that documents it."""
    return serializer(data, many=many).data
