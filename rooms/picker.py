"""The interviewer's question picker: search the bank, list its categories (JSON).

Thin views over questions.services (the bank knows nothing of rooms; the room decides who may
search it). Only interviewers may search: a logged-in account, or a browser bound to an
interviewer seat of the room named by `?room=` (a co-interviewer's link). A hit never carries
interviewer-only fields (nor the prompt: the room shows that once shown).
"""

from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from questions import services
from questions.models import Category, Question
from questions.search import PADS
from rooms.access import rights
from rooms.seats import seat_for_session


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False)
    category = forms.SlugField(max_length=50, required=False)
    difficulty = forms.ChoiceField(
        choices=[("", "any"), *Question.Difficulty.choices], required=False
    )


def is_interviewer(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return True
    room = request.GET.get("room", "")[:100]
    seat = seat_for_session(room, request.session) if room else None
    return seat is not None and rights(seat).interviewer


def interviewers_only(view: Any) -> Any:
    """403 for candidates, observers and strangers."""

    @wraps(view)
    def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_interviewer(request):
            return JsonResponse({"error": "only interviewers may search the bank"}, status=403)
        return view(request, *args, **kwargs)

    return check


@require_GET
@never_cache
@interviewers_only
def search(request: HttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(
            f"{field}: {' '.join(map(str, messages))}" for field, messages in form.errors.items()
        )
        return JsonResponse({"error": errors}, status=400)
    data = form.cleaned_data
    hits = services.search(data["q"], category=data["category"], difficulty=data["difficulty"])
    return JsonResponse({"results": [services.search_hit(question) for question in hits]})


@require_GET
@never_cache
@interviewers_only
def categories(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"results": [{"slug": c.slug, "name": c.name} for c in Category.objects.exclude(slug=PADS)]}
    )
