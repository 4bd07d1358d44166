"""What a query in the sandbox database can reach and do: nothing of the server, nothing that
lasts, nothing beyond its limits, nothing to another run."""

import asyncio

import psycopg
import pytest
from django.db import connection
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from runner import sqlsetup
from runner.sandbox import Limits, RunResult, run_sql

LIMITS = Limits(wall_s=5, sql_rows=50)
SETUP = """
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(10, 2));
INSERT INTO accounts VALUES (1, 'ann', 10.50), (2, 'bob', 3), (3, 'cy', NULL);
"""


async def refused(query: str, *words: str) -> RunResult:
    """Run `query`; it must fail with an error naming all of `words`."""
    result = await run_sql(query, SETUP, LIMITS)
    assert result.exit_code == 1, (query, result.stdout)
    for word in words:
        assert word in result.stderr, (query, result.stderr)
    return result


def admin_query(sql: str, *params) -> list[tuple]:
    where = sqlsetup.target()
    admin = conninfo_to_dict(sqlsetup.admin_conninfo())
    admin["dbname"] = where.database
    with psycopg.connect(make_conninfo(**admin), autocommit=True) as conn:
        return conn.execute(sql, params or None).fetchall()


async def test_a_query_sees_the_questions_data_and_returns_a_table():
    result = await run_sql("SELECT owner, balance FROM accounts ORDER BY id", SETUP, LIMITS)
    assert result.exit_code == 0, result.stderr
    assert result.table == {
        "columns": ["owner", "balance"],
        "rows": [["ann", "10.50"], ["bob", "3.00"], ["cy", None]],
        "row_count": 3,
        "truncated": False,
        "command": "SELECT 3",
    }
    assert "ann" in result.stdout and "(3 rows)" in result.stdout


async def test_explain_gives_the_plan_of_the_last_statement():
    result = await run_sql("SELECT * FROM accounts WHERE id = 2", SETUP, LIMITS, explain=True)
    assert "actual time=" in result.table["plan"] and "Buffers" in result.table["plan"]


@pytest.mark.parametrize(
    "query, words",
    [
        ("COPY (SELECT 1) TO PROGRAM 'id'", ["pg_execute_server_program"]),
        ("COPY accounts FROM '/etc/passwd'", ["pg_read_server_files"]),
        ("SELECT pg_read_file('/etc/passwd')", ["permission denied", "pg_read_file"]),
        ("SELECT pg_ls_dir('.')", ["permission denied", "pg_ls_dir"]),
        ("SELECT lo_import('/etc/passwd')", ["permission denied", "lo_import"]),
        ("SET ROLE postgres", ["permission denied"]),
        ("SET SESSION AUTHORIZATION postgres", ["permission denied"]),
        ("ALTER SYSTEM SET work_mem = '1GB'", ["ALTER SYSTEM cannot run"]),
        ("CREATE EXTENSION dblink", ["permission denied"]),
        ("CREATE EXTENSION file_fdw", ["permission denied"]),
        ("SELECT dblink_connect('dbname=postgres')", ["does not exist"]),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'libc', 'getpid'", ["permission denied"]),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS 'return 1'", ["plpython3u"]),
        ("CREATE SCHEMA mine", ["permission denied"]),
        ("CREATE TABLE public.mine (x int)", ["permission denied"]),
        ("SET temp_file_limit = '100GB'", ["permission denied"]),
        ("SET session_replication_role = replica", ["permission denied"]),
        ("SELECT query FROM pg_stat_activity", ["permission denied"]),
        ("SELECT pg_stat_get_backend_activity(1)", ["permission denied"]),
        ("SELECT pg_terminate_backend(pg_backend_pid())", ["permission denied"]),
        ("SELECT pg_cancel_backend(pg_backend_pid())", ["permission denied"]),
        ("SELECT pg_reload_conf()", ["permission denied"]),
        ("LOAD 'auto_explain'", ["not allowed"]),
        ("DELETE FROM sandbox.run_guard", ["permission denied"]),
        ("ALTER TABLE sandbox.run_guard DISABLE TRIGGER ALL", ["must be owner"]),
        ("SELECT 1; SELECT 2", []),  # fine: two statements, one at a time
    ],
)
async def test_server_files_programs_roles_and_other_sessions_are_out_of_reach(query, words):
    if not words:
        result = await run_sql(query, SETUP, LIMITS)
        assert result.exit_code == 0 and result.table["rows"] == [["2"]]
        return
    await refused(query, *words)


async def test_no_other_database_and_no_application_table_is_reachable(db):
    app = connection.settings_dict["NAME"]
    await refused(f"SELECT * FROM {app}.public.questions_question", "cross-database")
    await refused("SELECT * FROM questions_question", "does not exist")
    result = await run_sql(
        "SELECT count(*) FROM pg_class WHERE relname LIKE 'questions%'", SETUP, LIMITS
    )
    assert result.table["rows"] == [["0"]]
    # Not even a direct connection of the sandbox role to the application's database.
    params = conninfo_to_dict(sqlsetup.target().conninfo)
    params["dbname"] = app
    with pytest.raises(psycopg.OperationalError, match="permission denied|CONNECT privilege"):
        psycopg.connect(make_conninfo(**params)).close()


@pytest.mark.parametrize(
    "query",
    [
        "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)",
        "CREATE TABLE kept (x int); COMMIT",
        "CREATE TABLE kept (x int); COMMIT AND CHAIN; CREATE TABLE kept2 (x int)",
        "ROLLBACK; CREATE TABLE kept (x int)",
        "ROLLBACK AND CHAIN; SELECT sandbox.begin_run(); CREATE TABLE kept (x int); COMMIT",
        "END; CREATE TEMP TABLE kept (x int)",
        "SAVEPOINT a; SET CONSTRAINTS ALL IMMEDIATE",
        "PREPARE TRANSACTION 'kept'",
        "ALTER ROLE CURRENT_USER SET statement_timeout = 0; COMMIT",
        "DO $$ BEGIN CREATE TABLE kept (x int); COMMIT; END $$",
        "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$; CALL p()",
        "SELECT lo_create(4242); COMMIT",
    ],
)
async def test_nothing_persists_whatever_the_query_does(query):
    await run_sql(query, SETUP, LIMITS)
    after = await run_sql("SELECT * FROM kept", SETUP, LIMITS)
    assert 'relation "kept" does not exist' in after.stderr
    assert admin_query(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' "
        "AND nspname <> 'information_schema' ORDER BY 1"
    ) == [("extensions",), ("public",), ("sandbox",)]
    assert admin_query(
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE nspname IN ('public', 'sandbox') AND relkind = 'r'"
    ) == [("run_guard",)]
    assert admin_query("SELECT count(*) FROM sandbox.run_guard") == [(0,)]
    assert admin_query("SELECT count(*) FROM pg_largeobject_metadata") == [(0,)]
    assert admin_query("SELECT count(*) FROM pg_prepared_xacts") == [(0,)]
    settings = admin_query(
        "SELECT rolconfig FROM pg_roles WHERE rolname = %s", sqlsetup.target().role
    )
    assert "statement_timeout=10s" in settings[0][0]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT pg_sleep(30)",
        "SET statement_timeout = 0; SELECT pg_sleep(30)",
        "SET LOCAL statement_timeout = 0; DO $$ BEGIN LOOP PERFORM 1; END LOOP; END $$",
        "SELECT sum(n) FROM (SELECT generate_series(1, 2000000000) AS n) AS numbers",
    ],
)
async def test_a_long_query_is_stopped_at_the_wall_clock_and_its_backend_freed(query):
    result = await run_sql(query, SETUP, Limits(wall_s=1))
    assert result.timed_out and result.limit == "wall" and result.exit_code is None
    for _ in range(50):
        active = active_backends()
        if active == [(0,)]:
            break
        await asyncio.sleep(0.1)
    assert active == [(0,)]


def active_backends() -> list[tuple]:
    return admin_query(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND state <> 'idle'",
        sqlsetup.target().role,
    )


async def test_a_cancelled_query_stops_on_the_server_too():
    stubborn = (
        "SET client_connection_check_interval = 0; SET statement_timeout = 0; SELECT pg_sleep(30)"
    )
    run = asyncio.create_task(run_sql(stubborn, SETUP, Limits(wall_s=60)))
    for _ in range(50):
        await asyncio.sleep(0.1)
        if active_backends() != [(0,)]:
            break
    assert active_backends() == [(1,)]
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    for _ in range(20):
        if active_backends() == [(0,)]:
            break
        await asyncio.sleep(0.1)
    assert active_backends() == [(0,)]


async def test_rows_are_capped_without_fetching_them_all():
    result = await run_sql("SELECT generate_series(1, 100000000) AS n", SETUP, LIMITS)
    # Fetching all 10^8 rows would run into the wall clock.
    assert result.truncated and result.limit == "rows" and not result.timed_out
    assert result.table["row_count"] == LIMITS.sql_rows and result.table["truncated"]


async def test_a_query_beyond_the_temp_file_limit_fails():
    result = await run_sql(
        "SELECT g FROM generate_series(1, 30000000) g ORDER BY g DESC LIMIT 1", SETUP, LIMITS
    )
    assert result.limit == "disk" and "temp_file_limit" in result.stderr


async def test_concurrent_runs_neither_see_nor_stop_each_other():
    slow = asyncio.create_task(run_sql("SELECT pg_sleep(1.5), 'done'", SETUP, LIMITS))
    await asyncio.sleep(0.5)
    attack = await run_sql(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE pid <> pg_backend_pid()",
        SETUP,
        LIMITS,
    )
    assert "permission denied" in attack.stderr
    same_names = await run_sql("CREATE TABLE accounts2 (x int); SELECT 1", SETUP, LIMITS)
    assert same_names.exit_code == 0
    assert (await slow).table["rows"] == [["", "done"]]
