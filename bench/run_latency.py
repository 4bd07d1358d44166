"""What the code sandbox costs, beside running the same programs bare, in one run.

1. Throughput: `manage.py run_code --jobs 4` over N small programs (the command as a user runs
   it, Django start-up included), against `/usr/bin/python3 FILE` for each of them, 4 at a
   time. Also the command's own start-up (one hello-world file), so the ratio of the runs
   themselves can be read too.
2. Start-to-exit of one hello world, p50 over R runs, interleaved: `run_python` in the
   sandbox against the same interpreter spawned bare from the same event loop.
3. The room (with `--room`): two daphne processes and one runner worker (`run_worker`,
   Redis Streams). Run pressed (the candidate's `code.run` on one process) to the first
   `run.output` on the interviewer's connection to the other, p50 of hello world runs, beside
   the bare hello world's start-to-exit of part 2.
4. The room under load (with `--room`): 20 rooms (half on each process) each run a 50 ms
   CPU-bound program 10 times, asking again as soon as a run ends: all 200 done, against the
   ideal (the programs' CPU over the cores) and against the same 200 programs spawned bare, as
   many at a time as the worker runs; and each room's mean wait in the queue against the
   median of the rooms'.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ir_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/run_latency.py [--programs 150] [--jobs 4] [--repeat 50] \\
        [--room] [--room-repeat 30] [--rooms 20] [--runs-per-room 10]

Prints a Markdown table and writes bench/results/run-latency-TIME.json (not committed).
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from runner.sandbox import Limits, run_python, sandbox_available  # noqa: E402

CPU_PROGRAM = (
    "import time\nstart = time.process_time()\n"
    "while time.process_time() - start < 0.05:\n    pass\nprint('done')\n"
)

# Small programs of the kind candidates run: a few lines of standard-library Python.
PROGRAMS = [
    "print(sum(range({n} * 1000)))",
    "print(sorted([(i * 7919) % {n} for i in range(2000)])[:5])",
    "import json\nprint(json.dumps({{'n': {n}, 'squares': [i * i for i in range(50)]}})[:60])",
    "from collections import Counter\nprint(Counter('mississippi' * {n}).most_common(2))",
    "def fib(k):\n    return k if k < 2 else fib(k - 1) + fib(k - 2)\nprint(fib(15 + {n} % 5))",
    "import re\nprint(re.findall(r'\\d+', 'a1b22c333' * {n})[:4])",
    "text = 'hello world ' * {n}\nprint(len(text.split()), text.title()[:20])",
    "import heapq\nprint(heapq.nsmallest(3, [(i * 31) % 97 for i in range({n} * 10)]))",
]


def write_programs(directory: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = directory / f"program_{i:03}.py"
        path.write_text(PROGRAMS[i % len(PROGRAMS)].format(n=i + 1) + "\n")
        paths.append(path)
    return paths


def run_code(paths: list[Path], jobs: int) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "run_code",
            "--jobs",
            str(jobs),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    return elapsed, [json.loads(line) for line in done.stdout.splitlines()]


async def bare(paths: list[Path], jobs: int) -> tuple[float, list[str]]:
    slots = asyncio.Semaphore(jobs)

    async def one(path: Path) -> str:
        async with slots:
            proc = await asyncio.create_subprocess_exec(
                settings.SANDBOX_PYTHON, str(path), stdout=subprocess.PIPE, cwd=path.parent
            )
            out, _ = await proc.communicate()
            return out.decode()

    started = time.perf_counter()
    outputs = await asyncio.gather(*(one(path) for path in paths))
    return time.perf_counter() - started, list(outputs)


async def hello_world(repeat: int) -> tuple[list[float], list[float]]:
    sandboxed, plain = [], []
    limits = Limits.from_settings()
    for _ in range(repeat):
        started = time.perf_counter()
        result = await run_python("print('hello')", limits)
        sandboxed.append((time.perf_counter() - started) * 1000)
        assert result.stdout == "hello\n", result
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            settings.SANDBOX_PYTHON, "-c", "print('hello')", stdout=subprocess.PIPE
        )
        await proc.communicate()
        plain.append((time.perf_counter() - started) * 1000)
    return sandboxed, plain


# --- the room: two daphne processes, one runner worker -------------------------------------


def make_room(code: str, title: str):
    """A room planned with one Python question whose shared code is `code`; its seat tokens."""
    from django.contrib.auth.models import User

    from editor import documents
    from questions.models import Category, Question
    from rooms import actions

    owner = User.objects.get_or_create(username="bench-runs")[0]
    category = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})[0]
    question = Question.objects.create(
        slug=f"bench-run-{os.urandom(6).hex()}",
        title=title,
        prompt="Run me.",
        category=category,
        language="python",
    )
    created = actions.create_room(owner, title, None)
    actions.show_question(created.seats["interviewer"], question.id)
    documents.insert_text(created.room.id, f"q-{question.id}", code)
    return created, question.id


class Stack:
    """Two daphne processes and a runner worker on the bench database."""

    def __init__(self, concurrency: int) -> None:
        from tests.servers import DaphneServer

        env = {"RUNNER_QUEUE": "redis", "LOG_LEVEL": "ERROR"}
        self.servers = [DaphneServer(port=8100, env=env), DaphneServer(port=8101, env=env)]
        worker_env = {**os.environ, **env}
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--concurrency", str(concurrency)],
            cwd=ROOT,
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for server in self.servers:
                server.start(timeout=90)  # a busy shared machine starts slowly
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.worker.terminate()
        try:
            self.worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.worker.kill()
        for server in self.servers:
            server.stop()


async def connect(server, created, role: str):
    from tests.control_client import ControlClient

    url = f"{server.ws_url}/ws/rooms/{created.room.id}/?token={created.tokens[role]}"
    return await ControlClient(url).connect()


async def run_once(sender, watcher, question: int) -> tuple[float, str]:
    """Run pressed on `sender` to the first output on `watcher`, in ms; then its end."""
    started = time.perf_counter()
    await sender.send({"type": "code.run", "question": question, "mode": "run"})
    run = (await sender.next("run.started", timeout=30))["run"]
    await watcher.next("run.output", timeout=30, run=run)
    first = (time.perf_counter() - started) * 1000
    await sender.next("run.finished", timeout=60, run=run)
    await watcher.next("run.finished", timeout=60, run=run)
    return first, run


async def room_latency(stack: Stack, repeat: int) -> list[float]:
    created, question = await asyncio.to_thread(make_room, "print('hello')\n", "Hello")
    candidate = await connect(stack.servers[0], created, "candidate")
    interviewer = await connect(stack.servers[1], created, "interviewer")
    for _ in range(3):  # warm-up: the worker's and the servers' first runs
        await run_once(candidate, interviewer, question)
    times = []
    for _ in range(repeat):
        first, _ = await run_once(candidate, interviewer, question)
        times.append(first)
    return times


async def room_load(stack: Stack, rooms: int, per_room: int) -> tuple[float, dict[str, float]]:
    made = [await asyncio.to_thread(make_room, CPU_PROGRAM, f"Load {i}") for i in range(rooms)]
    clients = [
        await connect(stack.servers[i % 2], created, "candidate")
        for i, (created, _) in enumerate(made)
    ]

    async def runs(client, question: int) -> None:
        for _ in range(per_room):
            await client.send({"type": "code.run", "question": question, "mode": "run"})
            run = (await client.next("run.started", timeout=120))["run"]
            end = await client.next("run.finished", timeout=300, run=run)
            assert end["exit_code"] == 0, end

    started = time.perf_counter()
    await asyncio.gather(*(runs(c, q) for c, (_, q) in zip(clients, made, strict=True)))
    total = time.perf_counter() - started
    waits = await asyncio.to_thread(room_waits, [created.room.id for created, _ in made])
    return total, waits


def room_waits(room_ids: list[str]) -> dict[str, float]:
    """Each room's mean wait from Run pressed to its run starting, in seconds."""
    from rooms.models import Run

    waits: dict[str, list[float]] = {room_id: [] for room_id in room_ids}
    for run in Run.objects.filter(room_id__in=room_ids):
        waits[run.room_id].append((run.started_at - run.created_at).total_seconds())
    return {room_id: statistics.mean(w) for room_id, w in waits.items()}


async def bare_cpu(count: int, jobs: int, path: Path) -> float:
    slots = asyncio.Semaphore(jobs)

    async def one() -> None:
        async with slots:
            proc = await asyncio.create_subprocess_exec(
                settings.SANDBOX_PYTHON, str(path), stdout=subprocess.PIPE
            )
            await proc.communicate()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return time.perf_counter() - started


def room_parts(args: argparse.Namespace, hello_bare_p50: float) -> dict[str, float]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cores = os.cpu_count() or 2
    stack = Stack(concurrency=cores)
    try:
        latency = asyncio.run(room_latency(stack, args.room_repeat))
        total, waits = asyncio.run(room_load(stack, args.rooms, args.runs_per_room))
    finally:
        stack.stop()
    count = args.rooms * args.runs_per_room
    with tempfile.TemporaryDirectory(prefix="run-latency-") as workdir:
        program = Path(workdir) / "cpu.py"
        program.write_text(CPU_PROGRAM)
        bare_total = asyncio.run(bare_cpu(count, cores, program))
    ideal = count * 0.05 / cores
    per_room = sorted(waits.values())
    median_wait = statistics.median(per_room)
    return {
        "room_first_output_p50_ms": round(statistics.median(latency), 1),
        "room_first_output_p90_ms": round(statistics.quantiles(latency, n=10)[-1], 1),
        "room_vs_bare_hello": round(statistics.median(latency) / hello_bare_p50, 2),
        "load_runs": count,
        "load_total_s": round(total, 2),
        "load_ideal_s": round(ideal, 2),
        "load_vs_ideal": round(total / ideal, 2),
        "load_bare_s": round(bare_total, 2),
        "load_vs_bare": round(total / bare_total, 2),
        "room_wait_median_s": round(median_wait, 3),
        "room_wait_max_s": round(per_room[-1], 3),
        "room_wait_max_vs_median": round(per_room[-1] / median_wait, 2) if median_wait else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--programs", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--room", action="store_true", help="also the room's parts (3 and 4)")
    parser.add_argument("--room-repeat", type=int, default=30)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--runs-per-room", type=int, default=10)
    parser.add_argument("--skip-run-code", action="store_true", help="skip part 1")
    args = parser.parse_args()
    available, why = sandbox_available()
    if not available:
        sys.exit(why)
    with tempfile.TemporaryDirectory(prefix="run-latency-") as workdir:
        paths = write_programs(Path(workdir), args.programs)
        hello = Path(workdir) / "hello.py"
        hello.write_text("print('hello')\n")
        if args.skip_run_code:
            startup = bare_first = bare_second = sandboxed = float("nan")
        else:
            startup, _ = run_code([hello], 1)
            # The reference first, then ours, then the reference again: the machine drifts.
            bare_first, expected = asyncio.run(bare(paths, args.jobs))
            sandboxed, results = run_code(paths, args.jobs)
            bare_second, _ = asyncio.run(bare(paths, args.jobs))
            assert [r["stdout"] for r in results] == expected, "outputs differ"
            assert all(r["exit_code"] == 0 for r in results)
    reference = (bare_first + bare_second) / 2
    in_sandbox, plain = asyncio.run(hello_world(args.repeat))
    figures: dict[str, object] = {
        "programs": args.programs,
        "jobs": args.jobs,
        "run_code_s": round(sandboxed, 3),
        "run_code_startup_s": round(startup, 3),
        "bare_s": round(reference, 3),
        "ratio": round(sandboxed / reference, 2),
        "ratio_without_startup": round((sandboxed - startup) / reference, 2),
        "hello_sandbox_p50_ms": round(statistics.median(in_sandbox), 1),
        "hello_bare_p50_ms": round(statistics.median(plain), 1),
        "hello_ratio": round(statistics.median(in_sandbox) / statistics.median(plain), 2),
        "uid_per_run": os.geteuid() == 0,
    }
    print("| measure | sandbox | bare python3 | ratio |")
    print("| --- | --- | --- | --- |")
    if not args.skip_run_code:
        print(
            f"| {args.programs} programs, {args.jobs} at a time (run_code, start-up included) "
            f"| {sandboxed:.2f} s | {reference:.2f} s | {figures['ratio']}x |"
        )
        print(
            f"| the same without run_code's start-up ({startup:.2f} s) "
            f"| {sandboxed - startup:.2f} s | {reference:.2f} s "
            f"| {figures['ratio_without_startup']}x |"
        )
    print(
        f"| hello world start-to-exit, p50 of {args.repeat} "
        f"| {figures['hello_sandbox_p50_ms']} ms | {figures['hello_bare_p50_ms']} ms "
        f"| {figures['hello_ratio']}x |"
    )
    if args.room:
        room = room_parts(args, statistics.median(plain))
        figures.update(room)
        print(
            f"| Run pressed to first output on the other person's connection (2 daphne + "
            f"1 worker), p50 of {args.room_repeat} (p90 {room['room_first_output_p90_ms']} ms) "
            f"| {room['room_first_output_p50_ms']} ms | {figures['hello_bare_p50_ms']} ms "
            f"(hello world start-to-exit) | {room['room_vs_bare_hello']}x |"
        )
        print(
            f"| {room['load_runs']} runs of a 50 ms CPU program from {args.rooms} rooms, all done "
            f"| {room['load_total_s']} s | {room['load_bare_s']} s bare; ideal "
            f"{room['load_ideal_s']} s | {room['load_vs_bare']}x bare, "
            f"{room['load_vs_ideal']}x ideal |"
        )
        print(
            f"| the rooms' mean wait in the queue: longest room against the median room "
            f"| {room['room_wait_max_s']} s | {room['room_wait_median_s']} s "
            f"| {room['room_wait_max_vs_median']}x |"
        )
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    out = results_dir / f"run-latency-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\n{out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
