"""Property: whatever anyone sends, a refused action changes nothing, an accepted one is in
the transcript, and candidates and observers never see interviewer-only data."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rooms import actions
from rooms.models import ChatMessage, Note, Room, RoomEvent, Score
from rooms.serializers import room_state_for
from tests.rooms.conftest import SECRET

ROLES = st.sampled_from(["interviewer", "candidate", "observer"])
ANY = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**7), 10**7), st.text(max_size=20), st.just("two-sum")
)
ACTIONS = st.one_of(
    st.tuples(st.just("show_question"), st.tuples(st.one_of(ANY, st.sampled_from([1, 2, 3])))),
    st.tuples(st.just("timer_start"), st.tuples(st.one_of(ANY, st.integers(1, 5000)))),
    st.tuples(st.just("timer_pause"), st.just(())),
    st.tuples(st.just("timer_resume"), st.just(())),
    st.tuples(st.just("timer_reset"), st.just(())),
    st.tuples(st.just("timer_add"), st.tuples(ANY)),
    st.tuples(st.just("send_chat"), st.tuples(ANY)),
    st.tuples(st.just("save_notes"), st.tuples(ANY)),
    st.tuples(st.just("save_score"), st.tuples(ANY, ANY, ANY, ANY)),
    st.tuples(st.just("record_paste"), st.tuples(ANY)),
    st.tuples(st.just("end_room"), st.just(())),
)


def snapshot(room_id):
    room = Room.objects.get(id=room_id)
    return (
        room.status,
        room.current_item_id,
        room.timer_status,
        room.timer_duration_ms,
        room.timer_elapsed_ms,
        room.timer_started_at,
        room.plan.count(),
        ChatMessage.objects.filter(room=room).count(),
        json.dumps(list(Note.objects.filter(room=room).values_list("text", flat=True))),
        Score.objects.filter(room=room).count(),
        RoomEvent.objects.filter(room=room).count(),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(ROLES, ACTIONS), min_size=1, max_size=12))
def test_any_sequence_of_actions_keeps_the_rules(room, bank, steps):
    ids = {1: bank[0].id, 2: bank[1].id, 3: bank[2].id}
    for role, (name, args) in steps:
        args = tuple(
            ids.get(a, a) if isinstance(a, int) and not isinstance(a, bool) else a for a in args
        )
        before = snapshot(room.room.id)
        try:
            getattr(actions, name)(room.seats[role], *args)
        except actions.RoomError:
            assert snapshot(room.room.id) == before, (role, name, args)
        else:
            assert snapshot(room.room.id)[-1] > before[-1], (role, name, args)
        for viewer in ("candidate", "observer"):
            seat = room.seats[viewer]
            if Room.objects.get(id=room.room.id).status != "ended":
                assert SECRET not in json.dumps(room_state_for(seat))
        timer = Room.objects.get(id=room.room.id)
        assert 0 <= timer.timer_elapsed_ms <= max(timer.timer_duration_ms, 0)
