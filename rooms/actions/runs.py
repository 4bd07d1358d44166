"""Running a question's code in the room: Run, Run tests, Run hidden tests, Stop.

Who may run: whoever may edit the code (rooms.access: interviewers and candidates, both peers
of a pair room, never observers, nothing once the room has ended); hidden tests: interviewers
only, and every frame of a hidden run goes to interviewers only. What runs is the question's
Y.Text as stored on the server. A room has two places for runs, each holding one run queued or
running at a time: the room's (Run, Run tests: everyone sees them) and the interviewers' (Run
hidden tests). A second `code.run` for a taken place is refused (`rate_limited`), so a busy
room holds at most two places in the queue and cannot starve the others. Two places, not
one: a candidate's Run refused during the interviewers' hidden run would tell them it exists.

The runner (runner.queue) executes the job here or in a worker and reports back through
`RoomReporter` (settings.RUNNER_REPORTER): output goes to the room as it is printed, and the
end is recorded as the room's `run` event and sent as `run.finished`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from editor import documents
from questions.services import step_tests
from relay.loops import run_now, run_soon
from rooms.actions.base import Forbidden, Invalid, NotFound, RoomError, TooMany, actor, require
from rooms.actions.broadcast import on_commit, send_async
from rooms.events import record_event
from rooms.live import EVERYONE, INTERVIEWERS, Audience, Outbound, publish
from rooms.models import Room, RoomQuestion, Run, RunOutput, Seat
from runner import queue, sqlsetup
from runner.bwrap import sandbox_available
from runner.jobs import Ending, Job
from runner.results import Limits, RunResult, SandboxUnavailable

log = logging.getLogger(__name__)

MODES = ("run", "tests", "hidden")
LANGUAGES = ("python", "sql")
STALE_S = 600  # a run active this long was lost (its queue lost it): ended as failed
QUEUE_UPDATES = 200  # how many queued runs hear their new place when one starts


class Unavailable(RoomError):
    code = "unavailable"


def audience(mode: str) -> Audience:
    return INTERVIEWERS if mode == "hidden" else EVERYONE


def same_place(mode: str) -> list[str]:
    """The modes whose runs take the same place as a run of this mode (see the docstring)."""
    return ["hidden"] if mode == "hidden" else ["run", "tests"]


def runner_status() -> dict[str, Any]:
    """Whether Python and SQL can run here, and why not (room.state's `runner`)."""
    available, why = sandbox_available()
    return {
        "available": available,
        "why": why,
        "sql": not sql_unavailable(),
        "sql_why": sql_unavailable(),
    }


def sql_unavailable() -> str:
    """Why SQL cannot run here (the embedded default has no PostgreSQL), or ""."""
    try:
        sqlsetup.target()
    except SandboxUnavailable as error:
        return str(error)
    return ""


def active_run(room: Room, role: str, mode: str = "run") -> dict[str, Any] | None:
    """The room's queued or running run in the place of `mode`, if this role may see it
    (room.state's `run`, and `hidden_run` for interviewers)."""
    if mode == "hidden" and role != Seat.Role.INTERVIEWER:
        return None
    runs = Run.objects.filter(room=room, status__in=Run.ACTIVE, mode__in=same_place(mode))
    run = runs.select_related("item").first()
    if run is None:
        return None
    printed = [[chunk.stream, chunk.text] for chunk in run.chunks.order_by("seq")]
    return {**_started_frame(run), "status": run.status, "ahead": _ahead(run), "output": printed}


# --- starting and stopping (the control channel's code.run and run.stop) -------------------


@transaction.atomic
def start_run(seat: Any, question: Any, mode: Any, explain: Any = False) -> Outbound:
    if mode not in MODES:
        raise Invalid("mode must be run, tests or hidden")
    if not isinstance(explain, bool):
        raise Invalid("explain must be true or false")
    seat, can = actor(seat)
    require(can.write_code, "only people who may edit the code may run it")
    require(mode != "hidden" or can.interviewer, "only interviewers may run the hidden tests")
    room = seat.room
    if not isinstance(question, int) or isinstance(question, bool):
        raise Invalid("question must be a question id")
    item = RoomQuestion.objects.select_related("question").filter(room=room, question_id=question)
    found = item.first()
    if found is None:
        raise NotFound("that question is not in this room")
    asked = found.question
    if asked.language not in LANGUAGES:
        raise Invalid(f"{asked.title} is in {asked.language}: only Python and SQL run")
    kind = {"tests": "visible", "hidden": "hidden"}.get(mode)
    # A multi-step exercise checks every step revealed so far: each grows the same code.
    step = min(found.step, len(asked.steps) + 1)  # the bank may have lost a step since
    tests = step_tests(asked, step, kind) if kind else None
    if kind and not tests:
        raise Invalid(f"{asked.title} has no {kind} tests")
    if asked.language == "python":
        available, why = sandbox_available()
        if not available:
            raise Unavailable(f"code cannot run here: {why}")
    elif why := sql_unavailable():
        raise Unavailable(f"SQL cannot run here: {why}")
    if not run_now(queue.workers_up):
        raise Unavailable("no runner worker is up: start `manage.py run_worker`")
    _end_stale(room)
    if Run.objects.filter(room=room, status__in=Run.ACTIVE, mode__in=same_place(mode)).exists():
        if mode == "hidden":
            raise TooMany("the hidden tests are already queued or running: wait, or stop them")
        raise TooMany("a run is already queued or running in this room: wait for it, or stop it")
    code = documents.code_now(room.id, [found.text_name])[found.text_name]
    shown_step = step if asked.steps else None
    run = Run.objects.create(room=room, seat=seat, item=found, mode=mode, step=shown_step)
    run.item = found
    job = Job(
        run=run.id,
        lane=room.id,
        language=asked.language,
        code=code,
        tests=tests,
        setup_sql=asked.setup_sql,
        explain=explain and asked.language == "sql" and mode == "run",
        extra={"mode": mode},
    )
    out = Outbound().to(audience(mode), _started_frame(run))
    out.to(audience(mode), _state_frame(run, "queued", _ahead(run)))
    transaction.on_commit(lambda: run_soon(lambda: _launch(room.id, out, job)))
    return out


async def _launch(room_id: str, out: Outbound, job: Job) -> None:
    """The room hears of the run before anything of its output."""
    await send_async(room_id, out)
    try:
        await queue.submit(job)
    except Exception as error:  # Redis down: the run cannot be queued
        failure = f"the run could not be queued: {error}"
        await RoomReporter().finished(job, Ending(_nothing(), failure=failure))


@transaction.atomic
def stop_run(seat: Any, run_id: Any) -> Outbound:
    if not isinstance(run_id, str) or not run_id:
        raise Invalid("run must be a run id")
    seat, can = actor(seat)
    run = Run.objects.filter(room=seat.room, id=run_id[:40]).select_related("item").first()
    if run is None or (run.mode == "hidden" and not can.interviewer):
        raise NotFound("no such run in this room")
    if run.seat_id != seat.id and not can.interviewer:
        raise Forbidden("only whoever started a run, or an interviewer, may stop it")
    if run.status == Run.Status.DONE:
        raise Invalid("this run has already ended")
    if run.status == Run.Status.QUEUED:  # never started: it ends here and now
        out = _finish(run, Ending(_nothing(), stopped=True))
    else:
        out = Outbound()
    transaction.on_commit(lambda: run_soon(lambda: queue.stop(run.id)))
    return out


def _end_stale(room: Room) -> None:
    cutoff = timezone.now() - timedelta(seconds=STALE_S)
    stale = Run.objects.filter(room=room, status__in=Run.ACTIVE, created_at__lt=cutoff)
    for run in stale.select_related("item"):
        _finish(run, Ending(_nothing(), failure="the run was lost"))


# --- what the runner reports -----------------------------------------------------------------


class RoomReporter:
    """runner.jobs.Reporter for the room: frames to its members, the end in its record. One
    per job (runner.jobs.execute)."""

    def __init__(self) -> None:
        self.printing = asyncio.Lock()  # stdout and stderr arrive concurrently: one order
        self.chunks = 0

    async def started(self, job: Job) -> bool:
        updates = await database_sync_to_async(_mark_running)(job.run)
        if updates is None:
            return False
        for room_id, out in updates:
            await publish(room_id, out)
        return True

    async def output(self, job: Job, stream: str, data: str) -> None:
        """Each chunk is kept before it is sent: whoever joins in between finds it in
        room.state, and a chunk both kept and sent is told apart by its number (`seq`)."""
        async with self.printing:
            seq, self.chunks = self.chunks, self.chunks + 1
            try:
                await database_sync_to_async(_keep_output)(job.run, seq, stream, data)
            except Exception:  # the room still sees it live; only a joiner misses it
                log.warning("output of run %s not kept", job.run, exc_info=True)
            frame = {
                "type": "run.output",
                "run": job.run,
                "stream": stream,
                "data": data,
                "seq": seq,
            }
            # A job without its mode is taken for a hidden run: interviewers only.
            await publish(job.lane, Outbound().to(audience(job.extra.get("mode", "hidden")), frame))

    async def finished(self, job: Job, ending: Ending) -> None:
        await database_sync_to_async(_finish_by_id)(job.run, ending)


@transaction.atomic
def _mark_running(run_id: str) -> list[tuple[str, Outbound]] | None:
    """The run starts (None: it was stopped meanwhile); what each room in the queue hears."""
    started = Run.objects.filter(id=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, started_at=timezone.now()
    )
    if not started:
        return None
    run = Run.objects.get(id=run_id)
    updates = [(run.room_id, Outbound().to(audience(run.mode), _state_frame(run, "running", 0)))]
    waiting = Run.objects.filter(status=Run.Status.QUEUED).order_by("created_at", "id")
    for ahead, other in enumerate(waiting[:QUEUE_UPDATES]):
        out = Outbound().to(audience(other.mode), _state_frame(other, "queued", ahead))
        updates.append((other.room_id, out))
    return updates


def _keep_output(run_id: str, seq: int, stream: str, text: str) -> None:
    RunOutput.objects.create(run_id=run_id, seq=seq, stream=stream, text=text)


@transaction.atomic
def _finish_by_id(run_id: str, ending: Ending) -> None:
    run = Run.objects.select_for_update().select_related("item").filter(id=run_id).first()
    if run is not None and run.status != Run.Status.DONE:
        _finish(run, ending)


def _finish(run: Run, ending: Ending) -> Outbound:
    """End the run: its `run` event, and `run.finished` once that is committed."""
    run.status = Run.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    run.chunks.all().delete()  # the event below holds the whole output
    result = ending.result
    question = run.item.question
    outcome = {
        "exit_code": result.exit_code,
        "timed_out": result.timed_out,
        "oom": result.oom,
        "truncated": result.truncated,
        "output_limit": Limits.from_settings().output_bytes,
        "limit": result.limit,
        "duration_ms": round(result.duration_ms, 1),
        "stopped": ending.stopped,
        "failure": ending.failure,
        "tests": result.tests.as_dict() if result.tests is not None else None,
        "table": result.table,
    }
    record_event(
        run.room_id,
        "run",
        {
            "run": run.id,
            "question": question.id,
            "title": question.title,
            "text": run.item.text_name,
            "mode": run.mode,
            "step": run.step,
            "language": question.language,
            **outcome,
            "stdout": result.stdout,
            "stderr": result.stderr,
        },
        actor=run.seat,
    )
    frame = {"type": "run.finished", "run": run.id, **outcome}
    return on_commit(run.room_id, Outbound().to(audience(run.mode), frame))


# --- frames ---------------------------------------------------------------------------------


def _started_frame(run: Run) -> dict[str, Any]:
    return {
        "type": "run.started",
        "run": run.id,
        "question": run.item.question_id,
        "mode": run.mode,
        "by": run.seat_id,
    }


def _state_frame(run: Run, status: str, ahead: int) -> dict[str, Any]:
    return {"type": "run.state", "run": run.id, "status": status, "ahead": ahead}


def _ahead(run: Run) -> int:
    if run.status != Run.Status.QUEUED:
        return 0
    return Run.objects.filter(status=Run.Status.QUEUED, created_at__lt=run.created_at).count()


def _nothing() -> RunResult:
    return RunResult(exit_code=None, stdout="", stderr="")
