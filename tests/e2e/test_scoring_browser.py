"""Scoring that agrees with itself: the room's score panel, the rubric and the review all use
1 Weak … 4 Excellent, with the rubric's words beside each choice and an evidence note per
question; the review's event list names people by the role they had at that moment."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from rooms.models import RoomEvent, Score, Seat
from tests.e2e.conftest import login_session, session_cookie, wait_until
from tests.e2e.room_helpers import open_as_owner
from tests.factories import interviewer, plan, question, room_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

LEVELS = [
    {"score": 1, "label": "Weak", "description": "No ORDER BY."},
    {"score": 2, "label": "Mixed", "description": "Sorts, forgets the LIMIT."},
    {"score": 3, "label": "Solid", "description": "ORDER BY with LIMIT."},
    {"score": 4, "label": "Excellent", "description": "Also asks about ties."},
]


def test_one_scale_with_the_rubric_words_and_an_evidence_note(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice)
    top_n = question("top-earners", title="Top earners", language="sql", rubric=LEVELS)
    two_sum = question("two-sum", rubric=["O(n) with a dict"])
    plan(made["room"], top_n, two_sum)
    ictx, ipage = open_as_owner(browser, server, made["room"], alice)
    ipage.get_by_role("tab", name="Notes & scores").click()
    panel = ipage.locator("#tab-notes")
    expect(panel).not_to_contain_text("strong no")
    expect(panel).to_contain_text("1 Weak · 2 Mixed · 3 Solid · 4 Excellent")
    # Each choice carries its number, its name and what the rubric says about it.
    expect(panel.locator(f'[data-question="{top_n.id}"] .rating')).to_have_text(
        [f"{level['score']} · {level['label']}{level['description']}" for level in LEVELS]
    )
    # A rubric of criteria leaves the scale's own names.
    expect(panel.locator(f'[data-question="{two_sum.id}"] .rating-name')).to_have_text(
        ["1 · Weak", "2 · Mixed", "3 · Solid", "4 · Excellent"]
    )
    panel.locator(f'[data-question="{top_n.id}"]').get_by_label("3 · Solid").check()
    evidence = panel.get_by_label("Evidence for Top earners")
    evidence.fill("Used ORDER BY salary DESC LIMIT 3 at once.")
    evidence.blur()

    def saved() -> Score | None:
        return Score.objects.filter(room=made["room"], item__question=top_n).first()

    deadline = datetime.now() + timedelta(seconds=10)
    while not (saved() and saved().comment) and datetime.now() < deadline:
        ipage.wait_for_timeout(100)
    score = saved()
    assert (score.rating, score.comment) == (3, "Used ORDER BY salary DESC LIMIT 3 at once.")
    ipage.screenshot(path=screenshot_dir / "room-interviewer-scores.png")

    # The review's scorecard says the same words and shows the evidence.
    ipage.goto(f"{server.http_url}/r/{made['room'].id}/review/")
    wait_until(ipage, "window.review && window.review.ready")
    ipage.get_by_role("tab", name="Scorecard").click()
    card = ipage.locator("#scorecard")
    expect(card).to_contain_text("1 Weak · 2 Mixed · 3 Solid · 4 Excellent")
    expect(card.locator(f'[data-question="{top_n.id}"]').get_by_label("3 · Solid")).to_be_checked()
    expect(card.get_by_label("Comment on Top earners")).to_have_value(
        "Used ORDER BY salary DESC LIMIT 3 at once."
    )
    ictx.close()


T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_the_review_names_people_by_the_role_they_had_then(server, browser, screenshot_dir):
    alice = interviewer("alice")
    made = room_with_seats(alice, "Pair practice", kind="pair")
    room, seats = made["room"], made["seats"]
    alice_seat, ada = seats["interviewer"], seats["candidate"]
    room.status, room.started_at, room.ended_at = "ended", T0, T0 + timedelta(seconds=60)
    room.save()
    events = [
        (5, ada, "paste", {"seat": ada.id, "chars": 300}),
        (20, alice_seat, "roles.swapped",
         {"roles": {str(alice_seat.id): "candidate", str(ada.id): "interviewer"}}),
        (30, alice_seat, "paste", {"seat": alice_seat.id, "chars": 500}),
        (40, ada, "paste", {"seat": ada.id, "chars": 700}),
    ]  # fmt: skip
    for seq, (seconds, actor, kind, data) in enumerate(events, start=1):
        RoomEvent.objects.create(
            room=room,
            seq=seq,
            at=T0 + timedelta(seconds=seconds),
            actor=actor,
            type=kind,
            data=data,
        )
    # Today's roles are the swapped ones.
    Seat.objects.filter(id=alice_seat.id).update(role="candidate")
    Seat.objects.filter(id=ada.id).update(role="interviewer")

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([session_cookie(server, login_session(alice))])
    page = context.new_page()
    page.goto(f"{server.http_url}/r/{room.id}/review/")
    wait_until(page, "window.review && window.review.ready")
    before = page.locator("#events .event", has_text="Ada pasted 300")
    expect(before.locator(".event-role")).to_have_text("candidate")
    expect(before).to_have_class("event kind-signal signal")
    after = page.locator("#events .event", has_text="alice pasted 500")
    expect(after.locator(".event-role")).to_have_text("candidate")
    expect(after).to_have_class("event kind-signal signal")
    # Ada interviews by then: her paste is no signal.
    late = page.locator("#events .event", has_text="Ada pasted 700")
    expect(late.locator(".event-role")).to_have_text("interviewer")
    expect(late).to_have_class("event kind-signal")
    page.screenshot(path=screenshot_dir / "review-roles-at-the-moment.png")
    context.close()
