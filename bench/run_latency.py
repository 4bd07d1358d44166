"""What the code sandbox costs, beside running the same programs bare, in one run.

1. Throughput: `manage.py run_code --jobs 4` over N small programs (the command as a user runs
   it, Django start-up included), against `/usr/bin/python3 FILE` for each of them, 4 at a
   time. Also the command's own start-up (one hello-world file), so the ratio of the runs
   themselves can be read too.
2. Start-to-exit of one hello world, p50 over R runs, interleaved: `run_python` in the
   sandbox against the same interpreter spawned bare from the same event loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ir_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/run_latency.py [--programs 150] [--jobs 4] [--repeat 50]

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--programs", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    available, why = sandbox_available()
    if not available:
        sys.exit(why)
    with tempfile.TemporaryDirectory(prefix="run-latency-") as workdir:
        paths = write_programs(Path(workdir), args.programs)
        hello = Path(workdir) / "hello.py"
        hello.write_text("print('hello')\n")
        startup, _ = run_code([hello], 1)
        # The reference first, then ours, then the reference again: the machine drifts.
        bare_first, expected = asyncio.run(bare(paths, args.jobs))
        sandboxed, results = run_code(paths, args.jobs)
        bare_second, _ = asyncio.run(bare(paths, args.jobs))
        assert [r["stdout"] for r in results] == expected, "outputs differ"
        assert all(r["exit_code"] == 0 for r in results)
    reference = (bare_first + bare_second) / 2
    in_sandbox, plain = asyncio.run(hello_world(args.repeat))
    figures = {
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
    print(
        f"| {args.programs} programs, {args.jobs} at a time (run_code, start-up included) "
        f"| {sandboxed:.2f} s | {reference:.2f} s | {figures['ratio']}x |"
    )
    print(
        f"| the same without run_code's start-up ({startup:.2f} s) "
        f"| {sandboxed - startup:.2f} s | {reference:.2f} s | {figures['ratio_without_startup']}x |"
    )
    print(
        f"| hello world start-to-exit, p50 of {args.repeat} "
        f"| {figures['hello_sandbox_p50_ms']} ms | {figures['hello_bare_p50_ms']} ms "
        f"| {figures['hello_ratio']}x |"
    )
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    out = results_dir / f"run-latency-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\n{out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
