"""The sandbox PostgreSQL database and its roles: created and hardened idempotently.

- `interview_sandbox` (SANDBOX_DATABASE_URL's user): the role queries run as. It logs in,
  owns nothing and is a member of nothing, and may only connect to the sandbox database and
  call `sandbox.begin_run()`; per-role settings give it a statement timeout, and a temp file
  limit only a superuser could change.
- `interview_sandbox_owner` (no login): owns the `sandbox` schema and `begin_run()`, which
  creates the run's schema `run_<xid>` inside the run's transaction and arms a deferred
  trigger that refuses to commit it: a run's transaction can only be rolled back.
- The sandbox database (owned by the admin): nothing for PUBLIC; a few trusted extensions
  pre-installed in `extensions`; the functions that read other sessions' queries or signal
  other backends revoked from PUBLIC, so concurrent runs cannot see or stop each other.
- The application's database: CONNECT and TEMPORARY revoked from PUBLIC (granted back to the
  application's user), so the sandbox role cannot even connect to it.

Done by `manage.py sandbox_sql_setup`, and on a process's first SQL run.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from runner.results import SandboxUnavailable

log = logging.getLogger(__name__)

DEFAULT_NAME = "interview_sandbox"
EXTENSIONS = [
    "pg_trgm",
    "btree_gist",
    "btree_gin",
    "citext",
    "hstore",
    "ltree",
    "pgcrypto",
    "fuzzystrmatch",
    "unaccent",
    "tablefunc",
    "uuid-ossp",
]
# Other sessions' query texts, and signals to other backends (same role: other runs).
REVOKED_FUNCTIONS = [
    "pg_catalog.pg_stat_get_activity",
    "pg_catalog.pg_stat_get_backend_activity",
    "pg_catalog.pg_terminate_backend",
    "pg_catalog.pg_cancel_backend",
]
REVOKED_VIEWS = ["pg_catalog.pg_stat_activity"]


@dataclass(frozen=True)
class Target:
    """Where runs go: the sandbox role's conninfo, and its names."""

    conninfo: str
    role: str
    database: str
    password: str | None


def admin_conninfo() -> str:
    url = settings.SANDBOX_ADMIN_DATABASE_URL
    if not url or not url.startswith(("postgres://", "postgresql://")):
        raise SandboxUnavailable(
            "SQL runs need PostgreSQL: set DATABASE_URL (or SANDBOX_ADMIN_DATABASE_URL) to a "
            "PostgreSQL server"
        )
    return str(url)


def target() -> Target:
    """SANDBOX_DATABASE_URL, or by default `interview_sandbox` on the admin's server."""
    if settings.SANDBOX_DATABASE_URL:
        params = conninfo_to_dict(settings.SANDBOX_DATABASE_URL)
    else:
        params = conninfo_to_dict(admin_conninfo())
        params.pop("password", None)
        params.update(user=DEFAULT_NAME, dbname=DEFAULT_NAME)
    role, database = params.get("user"), params.get("dbname")
    if not role or not database:
        raise SandboxUnavailable("SANDBOX_DATABASE_URL must name a user and a database")
    params.setdefault("connect_timeout", 5)
    return Target(
        make_conninfo("", **params),
        str(role),
        str(database),
        str(params["password"]) if params.get("password") else None,
    )


def owner_role(sandbox_role: str) -> str:
    return f"{sandbox_role}_owner"


_lock = threading.Lock()
_done: set[str] = set()


def ensure() -> Target:
    """Set the sandbox up once per process (it is idempotent, so also after a restart)."""
    where = target()
    with _lock:
        if where.conninfo not in _done:
            set_up(where)
            _done.add(where.conninfo)
    return where


def server_conninfo() -> str:
    """The admin on the server's maintenance database: roles and databases are server-wide,
    and the application's database may not exist yet (the tests make their own)."""
    params = conninfo_to_dict(admin_conninfo())
    params["dbname"] = "postgres"
    return make_conninfo("", **params)


def set_up(where: Target) -> None:
    try:
        with psycopg.connect(server_conninfo(), autocommit=True) as admin:
            _roles(admin, where)
            _database(admin, where)
            _application_database(admin, where)
        admin_params = conninfo_to_dict(admin_conninfo())
        admin_params["dbname"] = where.database
        with psycopg.connect(make_conninfo("", **admin_params)) as admin:
            _inside(admin, where)
    except psycopg.Error as exc:
        raise SandboxUnavailable(f"could not set up the sandbox database: {exc}") from exc


def _quietly(admin: psycopg.Connection[Any], statement: sql.Composed) -> None:
    """Run a CREATE that another process may be running at the same time."""
    races = (errors.DuplicateObject, errors.DuplicateDatabase, errors.UniqueViolation)
    with contextlib.suppress(*races):
        admin.execute(statement)


def _roles(admin: psycopg.Connection[Any], where: Target) -> None:
    role, owner = sql.Identifier(where.role), sql.Identifier(owner_role(where.role))
    for name in (where.role, owner_role(where.role)):
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
        if not exists:
            _quietly(admin, sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)))
    limits = sql.SQL(
        "ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION "
        "NOBYPASSRLS CONNECTION LIMIT {}"
    ).format(role, sql.Literal(settings.SANDBOX_SQL_CONNECTIONS))
    admin.execute(limits)
    if where.password:
        admin.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(where.password))
        )
    admin.execute(
        sql.SQL(
            "ALTER ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION "
            "NOBYPASSRLS"
        ).format(owner)
    )
    # Defaults for a session of the role; the server-side guards stand without them.
    defaults = {
        "statement_timeout": "10s",
        "lock_timeout": "5s",
        "idle_in_transaction_session_timeout": "60s",
        "temp_file_limit": settings.SANDBOX_SQL_TEMP_FILE_LIMIT,  # superuser-only to change
        "client_connection_check_interval": "1s",
    }
    for name, value in defaults.items():
        admin.execute(
            sql.SQL("ALTER ROLE {} SET {} = {}").format(
                role, sql.Identifier(name), sql.Literal(value)
            )
        )
    # A member of no role, so SET ROLE leads nowhere.
    for member in (where.role, owner_role(where.role)):
        granted = admin.execute(
            "SELECT roleid::regrole::text FROM pg_auth_members WHERE member = %s::regrole",
            [member],
        ).fetchall()
        for (granted_role,) in granted:
            admin.execute(
                sql.SQL("REVOKE {} FROM {}").format(
                    sql.Identifier(granted_role), sql.Identifier(member)
                )
            )


def _database(admin: psycopg.Connection[Any], where: Target) -> None:
    exists = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [where.database]
    ).fetchone()
    if not exists:
        _quietly(admin, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(where.database)))
    database = sql.Identifier(where.database)
    admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
    admin.execute(
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
            database, sql.Identifier(where.role)
        )
    )
    admin.execute(
        sql.SQL("GRANT CONNECT, CREATE ON DATABASE {} TO {}").format(
            database, sql.Identifier(owner_role(where.role))
        )
    )


def _application_database(admin: psycopg.Connection[Any], where: Target) -> None:
    """Nobody but the application's user connects to its database (the sandbox role least)."""
    app = connections["default"].settings_dict
    if "postgresql" not in app["ENGINE"] or app["NAME"] == where.database:
        return
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [app["NAME"]]).fetchone():
        return  # not created yet (migrate creates it); the next set-up revokes
    database = sql.Identifier(app["NAME"])
    admin.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(database))
    users = {admin.info.user, app.get("USER") or admin.info.user} - {where.role}
    for user in users:
        admin.execute(
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                database, sql.Identifier(user)
            )
        )


INSIDE = """
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS sandbox AUTHORIZATION {owner};
ALTER SCHEMA sandbox OWNER TO {owner};
REVOKE ALL ON SCHEMA sandbox FROM PUBLIC;
GRANT USAGE ON SCHEMA sandbox TO {role};
CREATE SCHEMA IF NOT EXISTS extensions;
REVOKE ALL ON SCHEMA extensions FROM PUBLIC;
GRANT USAGE ON SCHEMA extensions TO {role};
SET LOCAL ROLE {owner};
CREATE TABLE IF NOT EXISTS sandbox.run_guard (started timestamptz NOT NULL DEFAULT now());
CREATE OR REPLACE FUNCTION sandbox.refuse_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a sandbox run cannot be committed: it is always rolled back'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS refuse_commit ON sandbox.run_guard;
CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON sandbox.run_guard
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sandbox.refuse_commit();
CREATE OR REPLACE FUNCTION sandbox.begin_run() RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    name text := 'run_' || pg_current_xact_id()::text;
BEGIN
    -- Committing this transaction now fails at COMMIT, whatever else happens in it.
    INSERT INTO sandbox.run_guard DEFAULT VALUES;
    EXECUTE format('CREATE SCHEMA %I', name);
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', name, session_user);
    RETURN name;
END
$$;
TRUNCATE sandbox.run_guard;  -- always empty: a row in it is never committed
REVOKE ALL ON TABLE sandbox.run_guard FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sandbox FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sandbox.begin_run() TO {role};
RESET ROLE;
"""


def _inside(admin: psycopg.Connection[Any], where: Target) -> None:
    """The sandbox database's schemas, guard, extensions and revocations, in one transaction."""
    role, owner = sql.Identifier(where.role), sql.Identifier(owner_role(where.role))
    with admin.transaction():
        admin.execute("SELECT pg_advisory_xact_lock(hashtext('interview sandbox set-up'))")
        admin.execute(sql.SQL(INSIDE).format(role=role, owner=owner))  # type: ignore[arg-type]
        for extension in EXTENSIONS:
            try:
                with admin.transaction():
                    admin.execute(
                        sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA extensions").format(
                            sql.Identifier(extension)
                        )
                    )
            except (errors.UndefinedFile, errors.FeatureNotSupported) as exc:
                log.warning("sandbox database: extension %s not available: %s", extension, exc)
        for function in REVOKED_FUNCTIONS:
            admin.execute(
                sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC").format(
                    sql.SQL(function)  # type: ignore[arg-type]
                )
            )
        for view in REVOKED_VIEWS:
            admin.execute(sql.SQL("REVOKE SELECT ON {} FROM PUBLIC").format(sql.SQL(view)))  # type: ignore[arg-type]
