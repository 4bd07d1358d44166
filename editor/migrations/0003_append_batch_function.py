"""A write batch as one function call: the statement's parameters bound by the server (not
quoted into a string of several statements by the client), and its plans kept per connection.

Each statement of a PL/pgSQL function sees what committed before it starts, like the
statements of one string did: the rooms' last ids are read after their locks are held. The
advisory locks serialize each room's inserts until the transaction ends, so a room's ids grow
in commit order; keys come in ascending order, so two writers never wait on each other's locks
in a cycle. The time is the server's clock, but never before the room's latest update, so a
room's times grow with its ids. Returns (room, last id before the batch) for each room, then
(NULL, id) for each stored update in batch order; the batch's key and ids are stored with it.
PostgreSQL only (the embedded SQLite store writes its own way).
"""

from typing import Any

from django.db import migrations

CREATE = """
CREATE FUNCTION editor_append_batch(
    lock_keys integer[], batch_rooms text[], server_at timestamptz, update_rooms text[],
    update_seats bigint[], update_data bytea[], batch_key uuid, prune boolean
) RETURNS TABLE (r_room text, r_id bigint) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7301, key) FROM unnest(lock_keys) AS key;
    RETURN QUERY SELECT r, (SELECT max(d.id) FROM editor_docupdate d WHERE d.room_id = r)
        FROM unnest(batch_rooms) AS r;
    RETURN QUERY WITH stored AS (
        INSERT INTO editor_docupdate (room_id, at, seat_id, data)
        SELECT u.room_id,
            greatest(server_at,
                (SELECT max(d.at) FROM editor_docupdate d WHERE d.room_id = u.room_id)),
            u.seat_id, u.data
        FROM unnest(update_rooms, update_seats, update_data)
            WITH ORDINALITY AS u(room_id, seat_id, data, n)
        ORDER BY u.n RETURNING id
    ), kept AS (
        INSERT INTO editor_docbatch (key, ids, at)
        SELECT batch_key, to_jsonb(array_agg(id ORDER BY id)), now() FROM stored
    )
    SELECT NULL::text, id FROM stored ORDER BY id;
    IF prune THEN
        DELETE FROM editor_docbatch WHERE at < now() - interval '1 hour';
    END IF;
END
$$;
"""
DROP = (
    "DROP FUNCTION editor_append_batch(integer[], text[], timestamptz, text[], bigint[],"
    " bytea[], uuid, boolean)"
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("editor", "0002_standalone")]

    operations = [migrations.RunPython(create, drop)]
