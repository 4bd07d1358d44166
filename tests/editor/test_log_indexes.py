"""Every keystroke inserts a row into the update log, and each index on it is work on that
insert: the log keeps only the indexes its queries use."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_update_log_keeps_only_the_indexes_its_queries_use():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes"
            " WHERE tablename IN ('editor_docupdate', 'editor_docsnapshot')"
        )
        columns = {(table, definition.split(" USING btree ")[1]) for table, definition in cursor}
    assert columns == {
        ("editor_docupdate", "(id)"),
        ("editor_docupdate", "(room_id, id)"),  # catch-up and loading: ids after a point
        ("editor_docupdate", "(room_id, at)"),  # a new row's time, never before the last
        ("editor_docsnapshot", "(id)"),
        ("editor_docsnapshot", "(room_id, upto)"),  # the index and the unique constraint
    }
