"""A room created from a template gets its plan; interviewers can add any bank question."""

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command

from questions.models import Question
from questions.services import BANK_DIR
from rooms import actions
from rooms.serializers import plan_payload

pytestmark = pytest.mark.django_db

TEMPLATES = yaml.safe_load((BANK_DIR / "templates.yaml").read_text())["templates"]


@pytest.fixture
def alice(db):
    call_command("load_questions", verbosity=0)
    return User.objects.create_user("alice")


def test_a_room_from_each_template_gets_its_plan_in_order_with_minutes(alice):
    for template in TEMPLATES:
        made = actions.create_room(alice, "", template["slug"], kind=template["kind"])
        assert made.room.title == template["title"]
        assert made.room.kind == template["kind"]
        plan = plan_payload(made.room)
        assert [(item["slug"], item["minutes"]) for item in plan] == [
            (item["question"], item["minutes"]) for item in template["items"]
        ]
        assert [item["position"] for item in plan] == list(range(1, len(plan) + 1))
        assert not any(item["shown"] for item in plan)


def test_an_interviewer_adds_any_bank_question_during_the_interview(alice):
    made = actions.create_room(alice, "", "python-screen-45")
    extra = Question.objects.get(slug="coding-external-merge-sort")
    actions.show_question(made.seats["interviewer"], extra.id)
    made.room.refresh_from_db()
    plan = plan_payload(made.room)
    assert [item["slug"] for item in plan][-1] == "coding-external-merge-sort"
    assert plan[-1]["minutes"] == extra.expected_minutes
    assert plan[-1]["current"] and plan[-1]["shown"]
    screen = next(t for t in TEMPLATES if t["slug"] == "python-screen-45")
    assert len(plan) == len(screen["items"]) + 1


def test_a_room_from_a_template_takes_its_kind_unless_told_otherwise(alice):
    pair = next(t for t in TEMPLATES if t["kind"] == "pair")
    assert actions.create_room(alice, "", pair["slug"]).room.kind == "pair"
    assert actions.create_room(alice, "", pair["slug"], kind="interview").room.kind == "interview"
    assert actions.create_room(alice, "", "python-screen-45").room.kind == "interview"
    assert actions.create_room(alice).room.kind == "interview"
