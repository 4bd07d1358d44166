"""The update log's writes held back or refused by another PostgreSQL session, and the
rooms the document-channel tests watch while they are."""

import contextlib

import psycopg
from django.db import connection

from tests.editor.typists import stored_code
from tests.editor.yclient import YClient


def admin_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    return psycopg.connect(**params, autocommit=True)


async def stored_is(doc_room, code: str) -> bool:
    return await stored_code(doc_room.room.id, doc_room.text) == code


@contextlib.contextmanager
def commits_held():
    """Every insert into the update log waits until the block ends."""
    with admin_connection() as admin:
        admin.execute("BEGIN")
        admin.execute("LOCK TABLE editor_docupdate IN EXCLUSIVE MODE")
        try:
            yield admin
        finally:
            admin.execute("COMMIT")


async def typist_and_watchers(doc_room, first, second):
    """A typist on the first process, an interviewer beside it, an observer on the second."""
    typist = await YClient(doc_room.url(first, "candidate")).connect()
    beside = await YClient(doc_room.url(first, "interviewer")).connect()
    across = await YClient(doc_room.url(second, "observer")).connect()
    return typist, (beside, across)


REFUSE_SQL = """
CREATE FUNCTION refuse_marked() RETURNS trigger AS $$
BEGIN
  IF position('REFUSED'::bytea in NEW.data) > 0 THEN RAISE EXCEPTION 'refused by test'; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER refuse_marked BEFORE INSERT ON editor_docupdate
  FOR EACH ROW EXECUTE FUNCTION refuse_marked();
"""
UNREFUSE_SQL = "DROP TRIGGER refuse_marked ON editor_docupdate; DROP FUNCTION refuse_marked();"


@contextlib.contextmanager
def refusing_marked_writes():
    """PostgreSQL refuses every update that contains the bytes REFUSED."""
    with admin_connection() as admin:
        admin.execute(REFUSE_SQL)
        try:
            yield
        finally:
            admin.execute(UNREFUSE_SQL)
