"""Every change to a room: one plain function per state change, grouped by domain.

Each checks who may do it (rooms.access), writes the change and its transcript event in ONE
transaction, and sends what the room must learn when that transaction commits: no caller can
change a room without its event and its broadcast. Consumers, views, management commands and
tests all call these.
"""

from rooms.actions.base import Forbidden, Invalid, NotFound, RoomError, TooMany
from rooms.actions.chat import CHAT_MAX_CHARS, send_chat, send_chat_async
from rooms.actions.lifecycle import CreatedRoom, create_room, end_room, set_name, swap_roles
from rooms.actions.notes import save_notes, save_score, save_scorecard
from rooms.actions.pads import create_pad, save_pad
from rooms.actions.presence import (
    forget_dead,
    fresh_connection_count,
    heartbeat,
    join,
    leave,
    record_paste,
    set_focus,
    touch,
)
from rooms.actions.questions import set_step, show_question
from rooms.actions.runs import start_run, stop_run
from rooms.actions.seats import renew_link, revoke
from rooms.actions.timer import (
    expire_timer_if_due,
    timer_add,
    timer_pause,
    timer_reset,
    timer_resume,
    timer_start,
)
from rooms.live import Outbound

__all__ = [
    "create_pad",
    "save_pad",
    "CHAT_MAX_CHARS",
    "CreatedRoom",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Outbound",
    "RoomError",
    "TooMany",
    "create_room",
    "end_room",
    "expire_timer_if_due",
    "forget_dead",
    "fresh_connection_count",
    "heartbeat",
    "join",
    "leave",
    "record_paste",
    "renew_link",
    "revoke",
    "save_notes",
    "save_score",
    "save_scorecard",
    "send_chat",
    "send_chat_async",
    "set_focus",
    "set_step",
    "set_name",
    "show_question",
    "start_run",
    "stop_run",
    "swap_roles",
    "timer_add",
    "timer_pause",
    "timer_reset",
    "timer_resume",
    "timer_start",
    "touch",
]
