"""The bank and its templates are edited in the admin."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from questions.models import Question, Template

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    call_command("load_questions", verbosity=0)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-root-123"))
    return client


def test_questions_are_searched_and_filtered(admin_client):
    html = admin_client.get("/admin/questions/question/", {"q": "palindrome"}).content.decode()
    assert "Is it a palindrome?" in html and "Mutable and immutable types" not in html
    coding = Question.objects.get(slug="coding-two-sum").category_id
    html = admin_client.get(
        "/admin/questions/question/", {"category__id__exact": coding, "difficulty__exact": "hard"}
    ).content.decode()
    assert "Sort a data set that does not fit in memory" in html
    assert "Two numbers that add up to a target" not in html


def test_an_interviewer_edits_a_question(admin_client):
    question = Question.objects.get(slug="coding-two-sum")
    page = admin_client.get(f"/admin/questions/question/{question.id}/change/").content.decode()
    assert "Interviewers only" in page and "first_seen" in page
    form = {
        "title": "Two numbers, one target",
        "slug": question.slug,
        "category": question.category_id,
        "difficulty": "medium",
        "tags": '["arrays"]',
        "expected_minutes": 20,
        "prompt": question.prompt,
        "language": "python",
        "starter_code": question.starter_code,
        "visible_tests": "[]",
        "guidance": "New guidance.",
        "follow_ups": "[]",
        "red_flags": "[]",
        "rubric": "[]",
        "hints": "[]",
        "solution": question.solution,
        "wrong_solutions": "[]",
        "hidden_tests": "[]",
        "steps": "[]",
    }
    response = admin_client.post(f"/admin/questions/question/{question.id}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert (question.title, question.difficulty, question.tags) == (
        "Two numbers, one target",
        "medium",
        ["arrays"],
    )


def test_a_template_shows_its_timed_plan_inline(admin_client):
    template = Template.objects.get(slug="python-screen-45")
    html = admin_client.get("/admin/questions/template/").content.decode()
    assert "Python screen (45 min)" in html and ">45<" in html
    page = admin_client.get(f"/admin/questions/template/{template.id}/change/").content.decode()
    for item in template.items.all():
        assert f'value="{item.minutes}"' in page
        assert item.question.title in page
