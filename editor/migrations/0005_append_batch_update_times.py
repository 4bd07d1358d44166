"""The write batch function takes each update's own time (when the server took it) rather
than one time for the batch: a busy process commits every EDITOR_COMMIT_GAP_MS, and the
replay steps through the log by time. A room's times still never go backwards. The old
signature stays for processes of the previous release during a rolling deploy.
"""

from typing import Any

from django.db import migrations

CREATE = """
CREATE FUNCTION editor_append_batch(
    lock_keys integer[], batch_rooms text[], update_rooms text[], update_seats bigint[],
    update_data bytea[], update_at timestamptz[], batch_key uuid, prune boolean
) RETURNS TABLE (r_room text, r_id bigint) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7301, key) FROM unnest(lock_keys) AS key;
    RETURN QUERY SELECT r, (SELECT max(d.id) FROM editor_docupdate d WHERE d.room_id = r)
        FROM unnest(batch_rooms) AS r;
    RETURN QUERY WITH stored AS (
        INSERT INTO editor_docupdate (room_id, at, seat_id, data)
        SELECT u.room_id,
            greatest(u.at,
                (SELECT max(d.at) FROM editor_docupdate d WHERE d.room_id = u.room_id)),
            u.seat_id, u.data
        FROM unnest(update_rooms, update_seats, update_data, update_at)
            WITH ORDINALITY AS u(room_id, seat_id, data, at, n)
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
    "DROP FUNCTION editor_append_batch(integer[], text[], text[], bigint[], bytea[],"
    " timestamptz[], uuid, boolean)"
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("editor", "0004_drop_stale_indexes")]
    operations = [migrations.RunPython(create, drop)]
