"""A chat message as one function call: one round trip and one transaction instead of seven
(BEGIN, the room's lock, the seat, the message, the room's next sequence number, the
transcript event, COMMIT), each of which cost a busy server process a hand-over of the
interpreter between threads.

The room row is locked first, as every action does (rooms.actions.base.actor), and each
statement of a PL/pgSQL function sees what committed before it starts: the seat is read after
the lock is held, so a revoke or an end committed meanwhile is seen. The message and its
event are stored only when the seat may talk now; an observer's go to
the interviewers only (rooms.access.rights: not revoked, the room
not ended; a test holds the two to the same answer). Returns one row: the stored message's id
(NULL when refused), whether the room and the seat were found (NULL: no room), and what
rooms.access.rights needs to say why not, with the seat's name.
PostgreSQL only (SQLite goes through the ORM).
"""

from typing import Any

from django.db import migrations

CREATE = """
CREATE FUNCTION rooms_send_chat(
    room text, seat bigint, message text, server_at timestamptz
) RETURNS TABLE (
    r_id bigint, r_found boolean, r_kind text, r_status text, r_role text, r_name text,
    r_revoked boolean
) LANGUAGE plpgsql AS $$
DECLARE
    v_seq bigint;
    to_interviewers boolean;
BEGIN
    SELECT kind, status INTO r_kind, r_status FROM rooms_room WHERE id = room FOR UPDATE;
    IF NOT FOUND THEN  -- r_found NULL: no such room
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT s.role, s.name, s.revoked_at IS NOT NULL INTO r_role, r_name, r_revoked
        FROM rooms_seat s WHERE s.id = seat AND s.room_id = room;
    r_found := FOUND;
    IF NOT r_found OR r_revoked OR r_status = 'ended' THEN
        RETURN NEXT;
        RETURN;
    END IF;
    to_interviewers := r_role = 'observer';  -- not `visible`: the candidate never sees it
    INSERT INTO rooms_chatmessage (room_id, seat_id, text, to_interviewers, at)
        VALUES (room, seat, message, to_interviewers, server_at) RETURNING id INTO r_id;
    UPDATE rooms_room SET event_seq = event_seq + 1 WHERE id = room RETURNING event_seq INTO v_seq;
    INSERT INTO rooms_roomevent (room_id, seq, at, actor_id, type, data)
        VALUES (room, v_seq, server_at, seat, 'chat',
            jsonb_build_object('message', r_id, 'text', message)
            || CASE WHEN to_interviewers THEN '{"to": "interviewers"}'::jsonb
                    ELSE '{}'::jsonb END);
    RETURN NEXT;
END
$$;
"""
DROP = "DROP FUNCTION rooms_send_chat(text, bigint, text, timestamptz)"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("rooms", "0005_roomquestion_step")]

    operations = [migrations.RunPython(create, drop)]
