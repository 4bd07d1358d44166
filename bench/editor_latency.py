"""Shared editor under load: this server (daphne + PostgreSQL + Redis) beside Hocuspocus, the
Yjs server a team would deploy instead (4.7.0, two instances with its Redis and Database
extensions, storing into PostgreSQL, debounced as shipped), and the y-websocket reference
server (1.5.4, `bin/server.js`, in memory: the limit), in one run, driven by the same
generator.

For each room count: per room one typist and one watcher (`bench/loadgen.mjs`: the npm
y-websocket provider against ours and the reference, `@hocuspocus/provider` against
Hocuspocus), the typist appending a numbered marker 5 times a second and the watcher on the
other process; measured are keystroke-to-screen latency (typist's insert until the watcher's
Y.Text shows it), markers lost, whether the watcher, the typist and the document stored in
PostgreSQL end up identical, server memory per connection, and CPU: the servers', a Redis of
the benchmark's own and the PostgreSQL backends serving them, from all connected until a second
after the last client left. Then joining a room of 50,000 stored single-keystroke updates: a
fresh client's connect until its first sync completes.

    cd bench && npm ci && cd ..
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ir_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/editor_latency.py

DATABASE_URL must name a database of its own for benchmarks (created and migrated if
missing; Hocuspocus stores into another, its name + `_hocuspocus`); rooms are added to it on
every run. Prints a table and writes it as JSON to bench/results/. Every process it starts
listens on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from pycrdt import Doc, Text  # noqa: E402

from editor import documents  # noqa: E402
from editor.models import DocUpdate  # noqa: E402
from editor.playback import fill_checkpoints  # noqa: E402
from editor.store import SNAPSHOT_EVERY, Batch, PendingUpdate, new_store  # noqa: E402
from questions.models import Category, Question  # noqa: E402
from relay.loops import run_apart  # noqa: E402
from rooms.models import Room, RoomQuestion  # noqa: E402
from rooms.seats import create_seat  # noqa: E402
from tests.servers import DaphneServer, RedisServer, free_port  # noqa: E402

LOADGEN = BENCH / "loadgen.mjs"
REFERENCE = BENCH / "node_modules" / "y-websocket" / "bin" / "server.js"
HOCUSPOCUS = BENCH / "hocuspocus.mjs"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- set-up -------------------------------------------------------------------------------


def ensure_database() -> None:
    """Create the benchmark database if missing, and migrate it."""
    params = connection.settings_dict
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must point at PostgreSQL (a database of its own for benchmarks)")
    admin = psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{params["NAME"]}"')
    call_command("migrate", verbosity=0)


@dataclass
class BenchRoom:
    room_id: str
    text: str  # the Y.Text of the room's question
    typist_token: str  # the candidate's seat
    watcher_token: str  # the interviewer's seat


def make_rooms(count: int) -> list[BenchRoom]:
    owner = User.objects.get_or_create(username="bench")[0]
    category = Category.objects.get_or_create(slug="coding", defaults={"name": "Coding"})[0]
    question = Question.objects.get_or_create(
        slug="bench-typing",
        defaults={
            "title": "Typing benchmark",
            "prompt": "Type.",
            "category": category,
            "difficulty": "easy",
            "language": "python",
            "starter_code": "",
        },
    )[0]
    rooms = []
    for _ in range(count):
        room = Room.objects.create(title="bench", owner=owner, status=Room.Status.LIVE)
        item = RoomQuestion.objects.create(room=room, question=question, position=1)
        _, typist = create_seat(room, "candidate", "Typist")
        _, watcher = create_seat(room, "interviewer", "Watcher", owner)
        rooms.append(BenchRoom(room.id, item.text_name, typist, watcher))
    return rooms


# --- servers ------------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def drain(stream: Any, tail: list[str]) -> None:
    """Read a server's stderr so a chatty process never blocks on a full pipe."""
    for line in iter(stream.readline, b""):
        tail.append(line.decode(errors="replace"))
        del tail[:-50]


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def database_params(name: str | None = None) -> dict[str, Any]:
    params = connection.settings_dict
    return {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"],
        "password": params["PASSWORD"] or None,
        "dbname": name or params["NAME"],
    }


def database_url(name: str) -> str:
    p = database_params(name)
    return f"postgres://{p['user']}@{p['host']}:{p['port']}/{name}"


def postgres_backends(dbname: str, exclude: set[int]) -> list[int]:
    """Server processes of PostgreSQL serving connections to `dbname` (but `exclude`)."""
    with psycopg.connect(**database_params("postgres"), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [dbname]
        ).fetchall()
    return [pid for (pid,) in rows if pid not in exclude]


class ReferenceServer:
    """y-websocket 1.5.4's own server (`bin/server.js`): documents in memory, no auth."""

    def __init__(self) -> None:
        self.port = free_port()
        self.errors: list[str] = []

    def start(self) -> ReferenceServer:
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.process = subprocess.Popen(
            ["node", str(REFERENCE)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        threading.Thread(target=drain, args=(self.process.stderr, self.errors), daemon=True).start()
        wait_healthy(f"http://127.0.0.1:{self.port}/", self.process)
        return self

    def pids(self) -> list[int]:
        return [self.process.pid]

    def cpu_pids(self) -> dict[str, list[int]]:
        return {"server": self.pids()}

    def client(self, room: str, token: str | None = None) -> dict[str, Any]:
        return {"server": f"ws://127.0.0.1:{self.port}", "room": room}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class HocuspocusServer:
    """Hocuspocus (`bench/hocuspocus.mjs`) as deployed on more than one instance: its Redis
    extension between the instances, its Database extension storing into PostgreSQL (a
    database of its own: DATABASE_URL's name + `_hocuspocus`), debounced as shipped."""

    def __init__(self, processes: int, redis: RedisServer) -> None:
        self.ports = [free_port() for _ in range(processes)]
        self.redis = redis
        self.dbname = f"{connection.settings_dict['NAME']}_hocuspocus"
        self.errors: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> HocuspocusServer:
        create_database(self.dbname)
        for index, port in enumerate(self.ports):
            env = {
                **os.environ,
                "PORT": str(port),
                "NAME": f"hocuspocus-{index}",
                "REDIS_URL": self.redis.url,
                "PG_URL": database_url(self.dbname),
            }
            process = subprocess.Popen(
                ["node", str(HOCUSPOCUS)], env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            threading.Thread(target=drain, args=(process.stderr, self.errors), daemon=True).start()
            self.processes.append(process)
        for port, process in zip(self.ports, self.processes, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}/", process)
        return self

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def cpu_pids(self) -> dict[str, list[int]]:
        return {
            "server": self.pids(),
            "redis": [self.redis.process.pid],
            "postgres": postgres_backends(self.dbname, set()),
        }

    def client(self, room: str, token: str | None = None, process: int = 0) -> dict[str, Any]:
        port = self.ports[process % len(self.ports)]
        return {"kind": "hocuspocus", "server": f"ws://127.0.0.1:{port}", "room": room}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def stop(self) -> None:
        # SIGTERM: each instance stores its documents still waiting for the debounce, then exits.
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)
        self.errors = [x for x in self.errors if not x.startswith("listening on")]

    def stored_hashes(self, room_results: list[dict[str, Any]]) -> int:
        """Rooms whose document stored in PostgreSQL holds the typist's final text."""
        with psycopg.connect(**database_params(self.dbname)) as db:
            rows = dict(
                db.execute(
                    "SELECT name, data FROM hocuspocus_documents WHERE name = ANY(%s)",
                    [[r["room"] for r in room_results]],
                ).fetchall()
            )
        matches = 0
        for room in room_results:
            if room["room"] not in rows:
                continue
            doc: Doc = Doc()
            doc.apply_update(bytes(rows[room["room"]]))
            code = str(doc.get(room["text"], type=Text))
            matches += hashlib.sha256(code.encode()).hexdigest() == room["sha256"]
        return matches


def create_database(name: str) -> None:
    with psycopg.connect(**database_params("postgres"), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


class OurServer:
    """This server as deployed: daphne processes (DEBUG off) on PostgreSQL and Redis."""

    def __init__(
        self, processes: int, redis: RedisServer | None = None, show: str = "early"
    ) -> None:
        # One public origin for all processes, as behind a load balancer: browsers' (and the
        # load generator's) Origin is that one, whichever process takes the connection.
        ports = [free_port() for _ in range(processes)]
        env = {"DEBUG": "0", "LOG_LEVEL": "WARNING", "PUBLIC_URL": f"http://127.0.0.1:{ports[0]}"}
        env["EDITOR_SHOW"] = show
        if redis is not None:
            env["REDIS_URL"] = redis.url
        self.redis = redis
        self.daphnes = [DaphneServer(port=port, env=env) for port in ports]
        self.errors: list[str] = []
        self.exclude_backends: set[int] = set()  # the benchmark's own connections

    def start(self) -> OurServer:
        try:
            for daphne in self.daphnes:
                daphne.start(timeout=90)  # a busy machine starts Django slowly
        except Exception:
            self.stop()
            raise
        return self

    def pids(self) -> list[int]:
        return [d.process.pid for d in self.daphnes if d.process]

    def cpu_pids(self) -> dict[str, list[int]]:
        dbname = connection.settings_dict["NAME"]
        return {
            "server": self.pids(),
            "redis": [self.redis.process.pid] if self.redis else [],
            "postgres": postgres_backends(dbname, self.exclude_backends),
        }

    def client(self, room: str, token: str, process: int = 0) -> dict[str, Any]:
        daphne = self.daphnes[process % len(self.daphnes)]
        return {"server": f"{daphne.ws_url}/ws/doc", "room": room, "params": {"token": token}}

    @property
    def origin(self) -> str:
        return self.daphnes[0].http_url

    def stop(self) -> None:
        for daphne in self.daphnes:
            daphne.stop()
            lines = daphne.output().splitlines()
            # Without collectstatic, whitenoise warns at start (two lines): not our concern here.
            noise = ("No directory at", "mw_instance = middleware")
            self.errors += [x for x in lines if x.strip() and not any(n in x for n in noise)]


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in time")


class CommitProbe:
    """The durability floor while a run goes on: a one-row insert and commit every 50 ms on a
    connection of its own. Every keystroke of ours waits for at least one such commit."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.backend_pid = 0
        self.started = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        params = connection.settings_dict
        with psycopg.connect(
            host=params["HOST"] or "127.0.0.1",
            port=params["PORT"] or 5432,
            user=params["USER"],
            password=params["PASSWORD"] or None,
            dbname=params["NAME"],
        ) as probe:
            probe.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (at timestamptz)")
            probe.commit()
            self.backend_pid = probe.info.backend_pid
            self.started.set()
            while not self.stopping.wait(0.05):
                start = time.perf_counter()
                probe.execute("INSERT INTO bench_commit_probe VALUES (now())")
                probe.commit()
                self.times.append((time.perf_counter() - start) * 1000)
            probe.execute("TRUNCATE bench_commit_probe")
            probe.commit()

    def __enter__(self) -> CommitProbe:
        self.thread.start()
        self.started.wait(timeout=10)
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def summary(self) -> dict[str, float]:
        return {
            "p50_ms": pct(self.times, 0.5),
            "p99_ms": pct(self.times, 0.99),
            "max_ms": max(self.times, default=0),
        }


# --- the generator --------------------------------------------------------------------------


def run_loadgen(jobs: list[dict[str, Any]], on_ready: Any = None, timeout: float = 600) -> list:
    """Run one generator process per job, in parallel; on_ready() once all are connected."""
    with tempfile.TemporaryDirectory() as tmp:
        processes = []
        for index, job in enumerate(jobs):
            job = {**job, "ready_file": f"{tmp}/ready-{index}"}
            process = subprocess.Popen(
                ["node", str(LOADGEN)],
                cwd=BENCH,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert process.stdin is not None
            process.stdin.write(json.dumps(job).encode())
            process.stdin.close()
            processes.append(process)
        outputs: list[bytes] = [b""] * len(jobs)
        errors: list[list[str]] = [[] for _ in jobs]

        def read(index: int) -> None:
            outputs[index] = processes[index].stdout.read()  # type: ignore[union-attr]

        readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(len(jobs))]
        for i, process in enumerate(processes):
            readers[i].start()
            threading.Thread(target=drain, args=(process.stderr, errors[i]), daemon=True).start()
        if on_ready is not None:
            deadline = time.monotonic() + timeout
            while not all(Path(f"{tmp}/ready-{i}").exists() for i in range(len(jobs))):
                if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            else:
                on_ready()
        for i, process in enumerate(processes):
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
            readers[i].join(timeout=5)
            if process.returncode != 0:
                raise RuntimeError(f"load generator failed: {''.join(errors[i])[-3000:]}")
        return [json.loads(output) for output in outputs]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class TypingResult:
    server: str
    rooms: int
    latencies: list[float]
    sent: int
    seen: int
    duplicates: int
    converged_rooms: int
    stored_rooms: int | None  # rooms whose PostgreSQL document equals the typist's (ours)
    rss_idle: int
    rss_loaded: int
    generator_cpu: float  # share of one core used by the generator while typing
    generator_lag_p99_ms: float
    connect_s: float
    commits: dict[str, float]
    cpu: dict[str, float]  # CPU seconds over the run: server, redis, postgres
    room_hashes: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    @property
    def p50(self) -> float:
        return pct(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return pct(self.latencies, 0.99)

    @property
    def max(self) -> float:
        return max(self.latencies, default=float("nan"))

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())

    @property
    def cpu_ms_per_keystroke(self) -> float:
        return 1000 * self.cpu_total / self.sent if self.sent else float("nan")

    @property
    def keystrokes_per_core_second(self) -> float:
        return self.sent / self.cpu_total if self.cpu_total else float("nan")

    @property
    def converged(self) -> bool:
        ok = self.converged_rooms == self.rooms
        return ok and (self.stored_rooms is None or self.stored_rooms == self.rooms)

    @property
    def rss_per_connection(self) -> float:
        return (self.rss_loaded - self.rss_idle) / (2 * self.rooms)

    def summary(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "rooms": self.rooms,
            "p50_ms": self.p50,
            "p99_ms": self.p99,
            "max_ms": self.max,
            "sent": self.sent,
            "seen": self.seen,
            "lost": self.sent - self.seen,
            "duplicates": self.duplicates,
            "converged_rooms": self.converged_rooms,
            "stored_rooms": self.stored_rooms,
            "rss_idle_mb": self.rss_idle / 2**20,
            "rss_loaded_mb": self.rss_loaded / 2**20,
            "rss_per_connection_kb": self.rss_per_connection / 1024,
            "generator_cpu_cores": self.generator_cpu,
            "generator_loop_lag_p99_ms": self.generator_lag_p99_ms,
            "connect_s": self.connect_s,
            "probe_commit_ms": self.commits,
            "cpu_s": self.cpu,
            "cpu_ms_per_keystroke": self.cpu_ms_per_keystroke,
            "keystrokes_per_core_second": self.keystrokes_per_core_second,
        }


def typing_run(
    name: str,
    server: ReferenceServer | OurServer | HocuspocusServer,
    rooms: list[BenchRoom],
    args: argparse.Namespace,
) -> TypingResult:
    processes = len(server.pids())
    specs = []
    for index, room in enumerate(rooms):
        if isinstance(server, HocuspocusServer):
            typist = server.client(room.room_id, None, index)
            watcher = server.client(room.room_id, None, index + 1)
        elif isinstance(server, OurServer):
            # With several processes the watcher is on another one than the typist: every
            # keystroke crosses the channel layer, as behind a load balancer.
            typist = server.client(room.room_id, room.typist_token, index)
            watcher = server.client(room.room_id, room.watcher_token, index + 1)
        else:
            typist = server.client(f"{room.room_id}")
            watcher = server.client(f"{room.room_id}")
        specs.append(
            {"room": room.room_id, "text": room.text, "typist": typist, "watcher": watcher}
        )
    job = {
        "mode": "type",
        "origin": server.origin,
        "rate": args.rate,
        "duration_s": args.duration,
        "settle_s": args.settle,
        "connect_batch": 20,
        "connect_timeout_s": 60,
    }
    jobs = [{**job, "rooms": specs[w :: args.workers]} for w in range(args.workers)]
    jobs = [j for j in jobs if j["rooms"]]
    idle = sum(rss_bytes(pid) for pid in server.pids())
    loaded = [idle]
    cpu_start: dict[int, float] = {}

    def sample_memory() -> None:
        # Everyone is connected: the CPU account starts; sample the servers' memory through
        # the typing phase.
        for pids in server.cpu_pids().values():
            cpu_start.update({pid: cpu_seconds(pid) for pid in pids})

        def sample() -> None:
            end = time.monotonic() + args.duration
            while time.monotonic() < end:
                loaded[0] = max(loaded[0], sum(rss_bytes(pid) for pid in server.pids()))
                time.sleep(0.5)

        threading.Thread(target=sample, daemon=True).start()

    with CommitProbe() as probe:
        if isinstance(server, OurServer):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                server.exclude_backends = {cursor.fetchone()[0], probe.backend_pid}
        results = run_loadgen(jobs, on_ready=sample_memory)
        # The CPU account ends a second after the last client left (Hocuspocus stores a
        # document as its last client leaves); a process that started meanwhile counts whole.
        time.sleep(1)
        cpu = {
            kind: sum(cpu_seconds(pid) - cpu_start.get(pid, 0.0) for pid in pids)
            for kind, pids in server.cpu_pids().items()
        }
    room_results = [room for result in results for room in result["rooms"]]
    stored = None
    if isinstance(server, OurServer):
        stored = count_stored_matches(room_results)
    elif isinstance(server, HocuspocusServer):
        server.stop()  # it stores what is still waiting for its debounce as it stops
        stored = server.stored_hashes(room_results)
    print(f"  {name}: {len(room_results)} rooms, {processes} process(es) done", flush=True)
    return TypingResult(
        server=name,
        rooms=len(room_results),
        latencies=[ms for room in room_results for ms in room["latencies"]],
        sent=sum(room["sent"] for room in room_results),
        seen=sum(room["seen"] for room in room_results),
        duplicates=sum(room["duplicates"] for room in room_results),
        converged_rooms=sum(room["converged"] for room in room_results),
        stored_rooms=stored,
        rss_idle=idle,
        rss_loaded=loaded[0],
        generator_cpu=sum(r["generator_cpu_s"] / r["typing_s"] for r in results),
        generator_lag_p99_ms=max(r["generator_loop_lag_p99_ms"] for r in results),
        connect_s=max(r["connect_s"] for r in results),
        commits=probe.summary(),
        cpu=cpu,
    )


def count_stored_matches(room_results: list[dict[str, Any]]) -> int:
    """Rooms whose document in PostgreSQL is the typist's final text, one update per keystroke."""
    counts = dict(
        DocUpdate.objects.filter(room_id__in=[r["room"] for r in room_results])
        .values("room_id")
        .annotate(n=Count("id"))
        .values_list("room_id", "n")
    )
    matches = 0
    for room in room_results:
        code = documents.code_now(room["room"], [room["text"]])[room["text"]]
        same = hashlib.sha256(code.encode()).hexdigest() == room["sha256"]
        matches += same and counts.get(room["room"], 0) == room["sent"]
    return matches


# --- joining a long room --------------------------------------------------------------------


def typed_updates(count: int, seed: int = 1) -> tuple[list[bytes], str, bytes]:
    """`count` single-keystroke updates as someone writing code makes them: mostly typing at
    the cursor, some backspaces, now and then a click elsewhere. Returns the updates, the
    final text and the whole document state."""
    rng = random.Random(seed)
    doc: Doc = Doc()
    text = doc.get("code", type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    cursor = 0
    alphabet = "abcdefghijklmnopqrstuvwxyz_()=:, .0123456789"
    while len(updates) < count:
        roll = rng.random()
        if roll < 0.01 and len(text):
            cursor = rng.randrange(len(text) + 1)  # ASCII only: byte offsets are characters
        elif roll < 0.08 and cursor > 0:
            del text[cursor - 1 : cursor]
            cursor -= 1
        else:
            char = "\n" if roll > 0.975 else rng.choice(alphabet)
            text.insert(cursor, char)
            cursor += 1
    return updates, str(text), doc.get_update()


def build_long_room(updates: list[bytes]) -> BenchRoom:
    room = make_rooms(1)[0]
    # As the server stores them: group-committed batches, folded into snapshots as it goes.
    for start in range(0, len(updates), SNAPSHOT_EVERY):
        batch = Batch(
            [PendingUpdate(room.room_id, None, u) for u in updates[start : start + SNAPSHOT_EVERY]]
        )
        run_apart(lambda batch=batch: _append(batch))
        fill_checkpoints(room.room_id)
    return room


async def _append(batch: Batch) -> None:
    store = new_store()
    try:
        await store.append(batch)
    finally:
        await store.close()


@dataclass
class JoinTimes:
    synced: list[float]  # ms from connecting until the first sync is complete
    received: list[float]  # ms until the document (sync step 2) arrived, before decoding it
    length: int  # the text's length as the last joiner saw it


def join_run(
    name: str,
    server: ReferenceServer | OurServer,
    room: BenchRoom,
    joins: int,
    *,
    holder: bool,
    warmup: tuple[BenchRoom, bytes],
    seed_update: bytes | None = None,
) -> JoinTimes:
    small_room, doc_state = warmup
    job: dict[str, Any] = {
        "mode": "join",
        "origin": server.origin,
        "text": "code",
        "joins": joins,
        "pause_ms": 100,
        "connect_timeout_s": 60,
        "client": server.client(room.room_id, room.watcher_token),
        # The generator's own warm-up (untimed): a document of this size decoded, and one join
        # of a small room.
        "warmup_update": base64.b64encode(doc_state).decode(),
        "warmup_client": server.client(small_room.room_id, small_room.watcher_token),
    }
    if holder:
        job["holder"] = server.client(room.room_id, room.typist_token)
    if seed_update is not None:
        job["seed_update"] = base64.b64encode(seed_update).decode()
    (result,) = run_loadgen([job])
    print(f"  {name}: {joins} joins, text of {result['text_length']} characters", flush=True)
    return JoinTimes(result["times"], result["received"], result["text_length"])


def typing_server(
    name: str, count: int, redis: RedisServer, args: argparse.Namespace
) -> TypingResult:
    """One typing run against a freshly started server of that kind."""
    server: ReferenceServer | OurServer | HocuspocusServer
    if name == "reference":
        server, label = ReferenceServer(), "in-memory limit"
    elif name == "hocuspocus":
        server, label = HocuspocusServer(args.processes, redis), f"Hocuspocus x{args.processes}"
    elif name == "ours-stored":  # EDITOR_SHOW=stored: relayed only once committed
        server = OurServer(args.processes, redis, show="stored")
        label = f"ours x{args.processes}, stored first"
    else:
        server, label = OurServer(args.processes, redis), f"ours x{args.processes}"
    server.start()
    try:
        result = typing_run(label, server, make_rooms(count), args)
    finally:
        server.stop()
    if server.errors:
        print("  server log (tail):", *server.errors[-8:], sep="\n    ")
    return result


# --- report -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", default="50,200,500", help="room counts, comma-separated")
    parser.add_argument("--duration", type=float, default=25, help="seconds of typing per run")
    parser.add_argument("--settle", type=float, default=30, help="seconds to wait for stragglers")
    parser.add_argument("--rate", type=float, default=5, help="keystrokes per second per typist")
    parser.add_argument("--processes", type=int, default=2, help="daphne processes of ours")
    parser.add_argument("--workers", type=int, default=2, help="load generator processes")
    parser.add_argument("--joins", type=int, default=20)
    parser.add_argument("--join-updates", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=1, help="interleaved runs of every count")
    parser.add_argument(
        "--servers",
        default="reference,hocuspocus,ours",
        type=lambda value: value.split(","),
        help="servers in the order they run, comma-separated: reference, hocuspocus, ours,"
        " ours-stored (EDITOR_SHOW=stored)",
    )
    parser.add_argument("--skip-typing", action="store_true")
    parser.add_argument("--skip-join", action="store_true")
    args = parser.parse_args()
    # Stopped from outside: still stop every process it started (the `finally` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    if not LOADGEN.exists() or not REFERENCE.exists():
        sys.exit("run `npm ci` in bench/ first")
    ensure_database()
    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "started": started.isoformat(),
        "command": " ".join(["bench/editor_latency.py", *sys.argv[1:]]),
        "cpus": os.cpu_count(),
        "args": vars(args),
        "typing": [],
        "join": None,
    }
    typing: list[list[TypingResult]] = []
    if not args.skip_typing:
        redis = RedisServer().start()
        try:
            for run in range(args.runs):
                for count in [int(n) for n in args.rooms.split(",")]:
                    print(f"run {run + 1}, {count} rooms", flush=True)
                    row = [typing_server(name, count, redis, args) for name in args.servers]
                    typing.append(row)
                    report["typing"].append({r.server: r.summary() for r in row})
        finally:
            redis.kill()
    join: dict[str, Any] | None = None
    if not args.skip_join:
        print(f"joining a room of {args.join_updates} updates", flush=True)
        updates, final_text, state = typed_updates(args.join_updates)
        room = build_long_room(updates)
        warmup = (make_rooms(1)[0], state)
        reference = ReferenceServer().start()
        try:
            ref = join_run(
                "reference",
                reference,
                room,
                args.joins,
                holder=True,
                warmup=warmup,
                seed_update=state,
            )
        finally:
            reference.stop()
        ours_server = OurServer(1).start()
        try:
            cold = join_run(
                "ours, cold", ours_server, room, args.joins, holder=False, warmup=warmup
            )
            warm = join_run("ours, warm", ours_server, room, args.joins, holder=True, warmup=warmup)
        finally:
            ours_server.stop()
        join = {
            "updates": args.join_updates,
            "text_length": len(final_text),
            "stored_bytes": sum(len(u) for u in updates),
            "state_bytes": len(state),
            "reference_ms": ref.synced,
            "ours_cold_ms": cold.synced,
            "ours_warm_ms": warm.synced,
            "reference_received_ms": ref.received,
            "ours_cold_received_ms": cold.received,
            "ours_warm_received_ms": warm.received,
            "complete": ref.length == cold.length == warm.length == len(final_text),
        }
        report["join"] = join
    print_report(typing, join, args)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    path = out / f"editor-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {path.relative_to(ROOT)}")


def print_report(
    typing: list[list[TypingResult]],
    join: dict[str, Any] | None,
    args: argparse.Namespace,
) -> None:
    print(
        f"\n{args.duration:g} s of typing at {args.rate:g} keystrokes/s per room;"
        f" {args.processes} processes of Hocuspocus and of ours, on PostgreSQL and Redis;"
        f" {os.cpu_count()} cores; CPU = server + Redis + PostgreSQL backends over the run\n"
    )
    header = (
        "| rooms | server | p50 ms | p99 ms | max ms | lost | converged | stored | CPU s"
        " (server/Redis/PG) | CPU ms per keystroke | keystrokes per core-s | gen CPU"
        " | commit p50/p99 ms |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for row in typing:
        for r in row:
            stored = "-" if r.stored_rooms is None else f"{r.stored_rooms}/{r.rooms}"
            cpu = "/".join(f"{r.cpu.get(k, 0):.1f}" for k in ("server", "redis", "postgres"))
            print(
                f"| {r.rooms} | {r.server} | {r.p50:.1f} | {r.p99:.1f} | {r.max:.0f}"
                f" | {r.sent - r.seen} of {r.sent} | {r.converged_rooms}/{r.rooms} | {stored}"
                f" | {r.cpu_total:.1f} ({cpu}) | {r.cpu_ms_per_keystroke:.2f}"
                f" | {r.keystrokes_per_core_second:.0f} | {r.generator_cpu:.2f}"
                f" | {r.commits['p50_ms']:.1f} / {r.commits['p99_ms']:.0f} |"
            )
    ratios = [
        (row[0].rooms, ours, peer)
        for row in typing
        for ours in row
        for peer in row
        if ours.server.startswith("ours") and peer.server.startswith("Hocuspocus")
    ]
    if ratios:
        print("\nours / Hocuspocus, same run:\n")
        print("| rooms | p50 | p99 | max | CPU per keystroke |")
        print("|---|---|---|---|---|")
        for rooms, ours, peer in ratios:
            print(
                f"| {rooms} | {ours.p50 / peer.p50:.2f}x | {ours.p99 / peer.p99:.2f}x"
                f" | {ours.max / peer.max:.2f}x"
                f" | {ours.cpu_ms_per_keystroke / peer.cpu_ms_per_keystroke:.2f}x |"
            )
    if join:
        ref50 = statistics.median(join["reference_ms"])
        print(
            f"\nJoining a room of {join['updates']} single-keystroke updates"
            f" ({join['text_length']} characters), connect until first sync complete,"
            f" {len(join['reference_ms'])} joins each:\n"
        )
        print("| server | p50 ms | max ms | ratio | document received p50 / max ms |")
        print("|---|---|---|---|---|")
        for label, key in (
            ("reference (in memory)", "reference"),
            ("ours, nobody in the room (load from PostgreSQL)", "ours_cold"),
            ("ours, room open on the process", "ours_warm"),
        ):
            times, received = join[f"{key}_ms"], join[f"{key}_received_ms"]
            p50 = statistics.median(times)
            print(
                f"| {label} | {p50:.1f} | {max(times):.1f} | {p50 / ref50:.2f}x"
                f" | {statistics.median(received):.1f} / {max(received):.1f} |"
            )
        print(f"\nevery joiner received the whole text: {'yes' if join['complete'] else 'NO'}")


if __name__ == "__main__":
    main()
