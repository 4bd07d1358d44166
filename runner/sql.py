"""SQL in the sandbox database: a query (`run_sql`) or a question's tests (`run_sql_tests`).

Each run (each test of a test run) gets a fresh connection as the sandbox role and one
transaction that is always rolled back:

    BEGIN; SET LOCAL statement_timeout ...; SELECT sandbox.begin_run()   -- schema + guard
    SET LOCAL search_path = run_<xid>, extensions
    the question's setup_sql; the test's setup; [the reference query, in a savepoint]
    the candidate's statements, one at a time
    ROLLBACK

The question's schema and data are loaded inside that transaction, per run: seeds are small
(milliseconds), a run can change or lock nothing another run uses, and nothing can go stale.

Statements go one at a time through the extended protocol, which refuses two in one
message, in single-row mode, so at most `sql_rows` rows of a result are ever held here.
After each statement the transaction must still be the run's own: one that ended it
(ROLLBACK [AND CHAIN], COMMIT) stops the run; a COMMIT fails anyway, refused by the guard
trigger. A watchdog cancels the statement at the wall-clock limit, whatever the session's
statement_timeout says, and terminates the backend if cancelling does not stop it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg
import sqlparse
from psycopg import pq

from runner import sqlsetup
from runner.results import Limits, RunResult, TestReport, TestResult

CELL_CAP = 10_000  # characters of one value kept
TERMINATE_AFTER_S = 1.0  # after a cancel that did not end the statement
QUERY_CANCELED = "57014"
TEMP_FILE_LIMIT = "53400"
OUT_OF_MEMORY = "53200"


@dataclass
class SqlError:
    message: str
    sqlstate: str = ""
    position: int = 0  # 1-based character in the statement, 0 when unknown
    detail: str = ""
    hint: str = ""

    def render(self, statement: str) -> str:
        """As psql shows it: the message, the line with a caret under the position."""
        lines = [f"ERROR:  {self.message}"]
        if self.position:
            before = statement[: self.position - 1]
            number = before.count("\n") + 1
            line = statement.splitlines()[number - 1] if statement.splitlines() else ""
            prefix = f"LINE {number}: "
            lines += [prefix + line, " " * (len(prefix) + len(before.rsplit("\n", 1)[-1])) + "^"]
        if self.detail:
            lines.append(f"DETAIL:  {self.detail}")
        if self.hint:
            lines.append(f"HINT:  {self.hint}")
        return "\n".join(lines)


@dataclass
class Result:
    """What one statement gave: rows (text, None for NULL) or a command tag, or an error."""

    columns: list[str] | None = None
    rows: list[list[str | None]] = field(default_factory=list)
    more: bool = False  # rows beyond those kept
    cut: bool = False  # a value longer than CELL_CAP was cut
    tag: str = ""
    error: SqlError | None = None


class Stopped(Exception):
    """The run's transaction was ended by a statement, or the run ran out of time."""


# --- one connection, spoken to statement by statement ------------------------------------------


class Session:
    def __init__(self, conn: psycopg.AsyncConnection[Any], limits: Limits) -> None:
        self.conn = conn
        self.pg = conn.pgconn
        self.limits = limits
        self.xid = ""
        self.timed_out = False
        self.notices: list[str] = []
        conn.add_notice_handler(self._notice)

    @classmethod
    async def open(cls, limits: Limits) -> Session:
        where = await asyncio.to_thread(sqlsetup.ensure)
        conn = await psycopg.AsyncConnection.connect(
            where.conninfo, autocommit=True, client_encoding="utf8", application_name="sandbox"
        )
        return cls(conn, limits)

    def _notice(self, diagnostic: psycopg.errors.Diagnostic) -> None:
        if len(self.notices) < 100:
            self.notices.append(f"{diagnostic.severity}:  {diagnostic.message_primary}")

    async def close(self) -> None:
        with contextlib.suppress(psycopg.Error, OSError):
            await self.conn.close()

    # -- the wire

    async def _wait(self, writable: bool = False) -> None:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = self.pg.socket
        add, remove = (
            (loop.add_writer, loop.remove_writer)
            if writable
            else (loop.add_reader, loop.remove_reader)
        )

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        add(fd, wake)
        try:
            await ready
        finally:
            remove(fd)

    async def _next(self) -> pq.abc.PGresult | None:
        while True:
            self.pg.consume_input()
            if not self.pg.is_busy():
                return self.pg.get_result()
            await self._wait()

    async def statement(self, text: str, keep: int = 0, stop_past_keep: bool = False) -> Result:
        """One statement; keeps `keep` rows, and cancels it past them if `stop_past_keep`."""
        if self.timed_out:
            raise Stopped("timed out")
        try:
            self.pg.send_query_params(text.encode(), None)
            self.pg.set_single_row_mode()
            while self.pg.flush():
                await self._wait(writable=True)
            return await self._results(keep, stop_past_keep)
        except psycopg.OperationalError as exc:
            if self.timed_out:
                raise Stopped("timed out") from exc
            raise

    async def _results(self, keep: int, stop_past_keep: bool) -> Result:
        result = Result()
        cancelled = False
        while (res := await self._next()) is not None:
            status = res.status
            if status in (pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_OK):
                if result.columns is None:
                    result.columns = [
                        (res.fname(i) or b"").decode("utf-8", "replace") for i in range(res.nfields)
                    ]
                if status == pq.ExecStatus.TUPLES_OK:
                    result.tag = (res.command_status or b"").decode()
                elif len(result.rows) < keep:
                    row = [res.get_value(0, i) for i in range(res.nfields)]
                    result.cut = result.cut or any(len(v or b"") > CELL_CAP for v in row)
                    result.rows.append([_cell(value) for value in row])
                else:
                    result.more = True
                    if stop_past_keep and not cancelled:
                        cancelled = True
                        await self.conn.cancel_safe(timeout=5)
            elif status == pq.ExecStatus.COMMAND_OK:
                result.tag = (res.command_status or b"").decode()
            elif status == pq.ExecStatus.EMPTY_QUERY:
                pass
            elif status in (pq.ExecStatus.COPY_IN, pq.ExecStatus.COPY_OUT, pq.ExecStatus.COPY_BOTH):
                result.error = SqlError("COPY to or from the client is not available here")
                cancelled = True
                await self._refuse_copy(status)
            else:
                error = _error(res)
                if cancelled and error.sqlstate == QUERY_CANCELED:
                    continue  # we cancelled it: past the rows kept
                if self.timed_out and error.sqlstate == QUERY_CANCELED:
                    raise Stopped("timed out")
                result.error = result.error or error
        return result

    async def _refuse_copy(self, status: int) -> None:
        """End a COPY from or to the client: its data is not for us."""
        if status == pq.ExecStatus.COPY_IN:
            self.pg.put_copy_end(b"COPY FROM STDIN is not available here")
            while self.pg.flush():
                await self._wait(writable=True)
            return
        await self.conn.cancel_safe(timeout=5)
        while True:
            size, _ = self.pg.get_copy_data(1)
            if size == 0:
                await self._wait()
                self.pg.consume_input()
            elif size < 0:
                return

    # -- the run's transaction

    async def begin(self, wall_s: float) -> None:
        for text in (
            "BEGIN",
            # The watchdog is the limit; this only stops a statement a moment before it.
            f"SET LOCAL statement_timeout = {int(wall_s * 1000) + 100}",
            "SET LOCAL lock_timeout = '2s'",
            # Values print the same on any server: tests compare them as text.
            "SET LOCAL TimeZone = 'UTC'",
            "SET LOCAL DateStyle = 'ISO, MDY'",
            "SET LOCAL IntervalStyle = 'postgres'",
        ):
            await self._ours(text)
        schema = await self._ours("SELECT sandbox.begin_run(), pg_current_xact_id()::text")
        name, self.xid = (str(value) for value in schema.rows[0])
        await self._ours(f"SET LOCAL search_path = {name}, extensions")

    async def _ours(self, text: str) -> Result:
        result = await self.statement(text, keep=1)
        if result.error:
            raise psycopg.OperationalError(f"sandbox: {text}: {result.error.message}")
        return result

    async def still_ours(self) -> bool:
        """Whether the run's transaction is still open (no COMMIT or ROLLBACK ended it)."""
        if self.pg.transaction_status != pq.TransactionStatus.INTRANS:
            return self.pg.transaction_status == pq.TransactionStatus.INERROR
        now = await self.statement("SELECT pg_current_xact_id_if_assigned()::text", keep=1)
        return not now.error and now.rows[0][0] == self.xid

    async def rollback(self) -> None:
        if self.pg.transaction_status != pq.TransactionStatus.IDLE:
            await self.statement("ROLLBACK")

    @contextlib.asynccontextmanager
    async def deadline(self, wall_s: float) -> AsyncIterator[None]:
        """Cancel whatever runs at `wall_s`; terminate the backend if that does not end it."""
        watchdog = asyncio.create_task(self._watch(wall_s))
        try:
            yield
        finally:
            watchdog.cancel()

    async def _watch(self, wall_s: float) -> None:
        await asyncio.sleep(wall_s)
        self.timed_out = True
        if self.pg.transaction_status != pq.TransactionStatus.ACTIVE:
            return
        with contextlib.suppress(psycopg.Error):
            await self.conn.cancel_safe(timeout=TERMINATE_AFTER_S)
        await asyncio.sleep(TERMINATE_AFTER_S)
        if self.pg.transaction_status == pq.TransactionStatus.ACTIVE:
            await asyncio.to_thread(_terminate, self.pg.backend_pid)


def _terminate(pid: int) -> None:
    with psycopg.connect(sqlsetup.admin_conninfo(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def _cell(value: bytes | None) -> str | None:
    if value is None:
        return None
    return value[: CELL_CAP * 4].decode("utf-8", "replace")[:CELL_CAP]


def _error(res: pq.abc.PGresult) -> SqlError:
    def field(name: pq.DiagnosticField) -> str:
        return (res.error_field(name) or b"").decode("utf-8", "replace")

    position = field(pq.DiagnosticField.STATEMENT_POSITION)
    return SqlError(
        message=field(pq.DiagnosticField.MESSAGE_PRIMARY) or "the statement failed",
        sqlstate=field(pq.DiagnosticField.SQLSTATE),
        position=int(position) if position.isdigit() else 0,
        detail=field(pq.DiagnosticField.MESSAGE_DETAIL),
        hint=field(pq.DiagnosticField.MESSAGE_HINT),
    )


def statements(text: str) -> list[str]:
    """The statements of `text`, without empty ones (only comments or semicolons)."""
    found = []
    for statement in sqlparse.split(text):
        if sqlparse.format(statement, strip_comments=True).strip().strip(";").strip():
            found.append(statement.strip())
    return found


# --- a run -----------------------------------------------------------------------------------


@dataclass
class Script:
    """The statements of a run, run in order; what it printed, psql-like, and its last table."""

    limits: Limits
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    last: Result | None = None  # the last statement's result that had columns
    error: bool = False
    truncated: bool = False
    rows_cut: bool = False
    size: int = 0

    def print(self, text: str, error: bool = False) -> None:
        room = self.limits.output_bytes - self.size
        if room <= 0:
            self.truncated = True
            return
        if len(text) > room:
            text, self.truncated = text[:room], True
        self.size += len(text)
        (self.err if error else self.out).append(text)


async def _run_statements(
    session: Session, script: Script, texts: list[str], explain: bool = False
) -> None:
    """Each statement in turn; stops at the first error or at one that ends the transaction."""
    for i, text in enumerate(texts):
        last = i == len(texts) - 1
        if explain and last and not text.lstrip().upper().startswith("EXPLAIN"):
            text = f"EXPLAIN (ANALYZE, BUFFERS) {text}"
        result = await session.statement(text, keep=script.limits.sql_rows, stop_past_keep=last)
        for notice in session.notices:
            script.print(notice + "\n", error=True)
        session.notices.clear()
        if result.error:
            script.error = True
            script.print(result.error.render(text) + "\n", error=True)
            return
        if result.columns is not None:
            script.last = result
            script.rows_cut = script.rows_cut or result.more
            script.truncated = script.truncated or result.cut
            script.print(render_table(result) + "\n")
        elif result.tag:
            script.print(result.tag + "\n")
        if not await session.still_ours():
            script.error = True
            script.print(
                "ERROR:  that statement ended the run's transaction: a run is always rolled "
                "back at its end, so COMMIT and ROLLBACK are not available\n",
                error=True,
            )
            return


async def run_sql(
    query: str, setup_sql: str = "", limits: Limits | None = None, explain: bool = False
) -> RunResult:
    """`query` (one or more statements) on the question's data; the last result as a table,
    or with `explain`, the plan of its last statement (EXPLAIN (ANALYZE, BUFFERS))."""
    limits = limits or Limits.from_settings()
    started = time.perf_counter()
    script = Script(limits)
    texts = statements(query)
    if not texts:
        return RunResult(1, "", "ERROR:  there is no SQL statement to run\n")
    session = await Session.open(limits)
    try:
        async with session.deadline(limits.wall_s):
            await session.begin(limits.wall_s)
            if not await _set_up(session, script, setup_sql, "the question's set-up"):
                await _run_statements(session, script, texts, explain)
    except Stopped:
        pass
    finally:
        await asyncio.shield(_end(session))
    return _result(script, session, started, explain)


async def _set_up(session: Session, script: Script, setup_sql: str, what: str) -> bool:
    """Run trusted set-up statements; True (and the error printed) if one failed."""
    for text in statements(setup_sql):
        result = await session.statement(text)
        if result.error:
            script.error = True
            script.print(f"{what} failed: {result.error.render(text)}\n", error=True)
            return True
    return False


async def _end(session: Session) -> None:
    try:
        if session.pg.transaction_status == pq.TransactionStatus.ACTIVE:
            # Cancelled mid-statement (the Stop button): the server must stop too, whatever
            # timeouts the query turned off.
            with contextlib.suppress(psycopg.Error):
                await session.conn.cancel_safe(timeout=TERMINATE_AFTER_S)
        with contextlib.suppress(psycopg.Error, Stopped):
            await session.rollback()
    finally:
        await session.close()


def _result(script: Script, session: Session, started: float, explain: bool) -> RunResult:
    stderr = "".join(script.err)
    if session.timed_out:
        stderr += f"ERROR:  stopped: the query ran longer than {script.limits.wall_s:g} s\n"
    result = RunResult(
        exit_code=None if session.timed_out else (1 if script.error else 0),
        stdout="".join(script.out),
        stderr=stderr,
        timed_out=session.timed_out,
        truncated=script.truncated or script.rows_cut,
        duration_ms=(time.perf_counter() - started) * 1000,
    )
    if "temporary file size exceeds temp_file_limit" in stderr:
        result.limit = "disk"
    elif "out of memory" in stderr:
        result.oom, result.limit = True, "memory"
    if session.timed_out:
        result.limit = "wall"
    elif script.truncated:
        result.limit = "output"
    elif script.rows_cut:
        result.limit = "rows"
    last = script.last
    if explain and last is not None and not script.error:
        plan = "\n".join(str(row[0]) for row in last.rows)
        result.table = {"plan": plan}
        result.stdout = plan + "\n"
    elif last is not None:
        result.table = {
            "columns": last.columns,
            "rows": last.rows,
            "row_count": len(last.rows),
            "truncated": last.more,
            "command": last.tag,
        }
    return result


def render_table(result: Result) -> str:
    """psql's aligned format."""
    columns = result.columns or []
    cells = [["" if value is None else value for value in row] for row in result.rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(columns)]
    lines = [
        " " + " | ".join(name.center(width) for name, width in zip(columns, widths, strict=True))
    ]
    lines.append("-" + "-+-".join("-" * width for width in widths) + "-")
    for row in cells:
        lines.append(
            " " + " | ".join(value.ljust(width) for value, width in zip(row, widths, strict=True))
        )
    count = len(result.rows)
    footer = f"({count} row{'' if count == 1 else 's'}"
    footer += ", more were cut)" if result.more else ")"
    return "\n".join([*lines, footer])


# --- tests -----------------------------------------------------------------------------------


async def run_sql_tests(
    query: str, setup_sql: str, tests: list[dict[str, Any]], limits: Limits | None = None
) -> RunResult:
    """Each test against `query`: its result set compared with the test's `expected` rows or
    with its `reference` query's, in order only when the test says `ordered`. Every test has
    its own connection, transaction and `limits.wall_s`."""
    limits = limits or Limits.from_settings()
    started = time.perf_counter()
    texts = statements(query)
    report = TestReport()
    timed_out = False
    for test in tests:
        ok, message, test_timed_out = await _one_test(texts, setup_sql, test, limits)
        report.results.append(TestResult(str(test["name"]), ok, message))
        timed_out = timed_out or test_timed_out
    return RunResult(
        exit_code=0,
        stdout="",
        stderr="",
        timed_out=timed_out,
        duration_ms=(time.perf_counter() - started) * 1000,
        limit="wall" if timed_out else None,
        tests=report,
    )


async def _one_test(
    texts: list[str], setup_sql: str, test: dict[str, Any], limits: Limits
) -> tuple[bool, str, bool]:
    if not texts:
        return False, "there is no SQL statement to run", False
    session = await Session.open(limits)
    script = Script(limits)
    try:
        async with session.deadline(limits.wall_s):
            await session.begin(limits.wall_s)
            if await _set_up(session, script, setup_sql, "the question's set-up"):
                return False, "".join(script.err).strip(), False
            if await _set_up(session, script, test.get("setup", ""), "the test's set-up"):
                return False, "".join(script.err).strip(), False
            expected = _expected_rows(test)
            if "reference" in test:
                await session.statement("SAVEPOINT reference")
                reference = Script(limits)
                await _run_statements(session, reference, statements(test["reference"]))
                if reference.error or reference.last is None or reference.rows_cut:
                    why = "".join(reference.err).strip() or "it gave no rows"
                    return False, f"the test's reference query failed: {why}", False
                expected = reference.last.rows
                await session.statement("ROLLBACK TO SAVEPOINT reference")
            await _run_statements(session, script, texts)
    except Stopped:
        pass
    finally:
        await asyncio.shield(_end(session))
    if session.timed_out:
        return False, f"timed out after {limits.wall_s:g} s", True
    if script.error:
        return False, "".join(script.err).strip(), False
    if script.last is None:
        return False, "the SQL gave no result set (its last statement returns no rows)", False
    return (*compare(script.last, expected or [], test), False)


def _expected_rows(test: dict[str, Any]) -> list[list[str | None]] | None:
    if "expected" not in test:
        return None
    return [[_as_text(value) for value in row] for row in test["expected"]]


def _as_text(value: Any) -> str | None:
    """A value from a bank file as PostgreSQL prints it (true is t, a date is ISO)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _key(value: str | None) -> tuple[int, Any]:
    """A value compared as PostgreSQL would show it equal: numbers by value (2.50 is 2.5)."""
    if value is None:
        return (0, "")
    try:
        number = Decimal(value)
        if number.is_finite():
            return (1, number.normalize())
    except InvalidOperation:
        pass
    return (2, value)


def compare(
    got: Result, expected: list[list[str | None]], test: dict[str, Any]
) -> tuple[bool, str]:
    """Whether the result set matches; if not, what differs, briefly."""
    if got.more:
        return False, f"the result has more than {len(got.rows)} rows"
    columns = got.columns or []
    wanted_columns = test.get("columns")
    if wanted_columns is not None and list(wanted_columns) != columns:
        return False, f"expected the columns {wanted_columns}, got {columns}"
    width = len(expected[0]) if expected else len(columns)
    if expected and len(columns) != width:
        return False, f"expected {width} columns, got {len(columns)}: {', '.join(columns)}"
    mine = [tuple(_key(value) for value in row) for row in got.rows]
    theirs = [tuple(_key(value) for value in row) for row in expected]
    ordered = bool(test.get("ordered"))
    if (mine if ordered else sorted(mine)) == (theirs if ordered else sorted(theirs)):
        return True, ""
    message = f"expected {len(expected)} rows, got {len(got.rows)}"
    if ordered and sorted(mine) == sorted(theirs):
        return False, "the right rows in the wrong order: " + _first_difference(got.rows, expected)
    missing = _without(theirs, mine, expected)
    extra = _without(mine, theirs, got.rows)
    if missing:
        message += f"; missing: {_show(missing)}"
    if extra:
        message += f"; not expected: {_show(extra)}"
    if ordered and not missing and not extra:
        message += "; " + _first_difference(got.rows, expected)
    return False, message


def _without(
    rows: list[tuple[Any, ...]], others: list[tuple[Any, ...]], shown: list[Any]
) -> list[Any]:
    left = list(others)
    kept = []
    for key, row in zip(rows, shown, strict=True):
        if key in left:
            left.remove(key)
        else:
            kept.append(row)
    return kept


def _first_difference(got: list[list[str | None]], expected: list[list[str | None]]) -> str:
    for number, (mine, theirs) in enumerate(zip(got, expected, strict=False), start=1):
        if [_key(v) for v in mine] != [_key(v) for v in theirs]:
            return f"row {number} is {_show([mine])}, expected {_show([theirs])}"
    return f"expected {len(expected)} rows, got {len(got)}"


def _show(rows: list[Any], limit: int = 3) -> str:
    shown = ", ".join(
        "(" + ", ".join("NULL" if v is None else str(v) for v in row) + ")" for row in rows[:limit]
    )
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
