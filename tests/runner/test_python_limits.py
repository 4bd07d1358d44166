"""Each limit stops a run with the right mark, while other runs and the server keep working;
nothing of a run outlives it or reaches the next run; output streams as it is printed."""

import asyncio
import os
import subprocess
import time
import uuid

import pytest

from runner.sandbox import Limits, RunResult, run_python

MiB = 1024 * 1024
SMALL = Limits(
    wall_s=3,
    cpu_s=2,
    memory_bytes=256 * MiB,
    output_bytes=64 * 1024,
    processes=16,
    file_size_bytes=8 * MiB,
    disk_bytes=16 * MiB,
)
HELLO = "print('hello')"


async def alongside(code: str, limits: Limits = SMALL) -> tuple[RunResult, RunResult]:
    """`code`, and while it runs, a well-behaved run: both results."""
    bad = asyncio.create_task(run_python(code, limits))
    await asyncio.sleep(0.3)
    good = await run_python(HELLO, limits)
    return await bad, good


def assert_fine(good: RunResult) -> None:
    assert (good.exit_code, good.stdout, good.limit) == (0, "hello\n", None)


async def test_an_endless_loop_is_stopped_by_the_cpu_or_wall_clock():
    bad, good = await alongside("while True:\n    pass")
    assert bad.timed_out and bad.limit in ("cpu", "wall")
    assert_fine(good)


async def test_a_sleeping_run_is_stopped_by_the_wall_clock():
    result = await run_python("import time\nprint('a', flush=True)\ntime.sleep(60)", SMALL)
    assert result.timed_out and result.limit == "wall" and result.exit_code is None
    assert result.stdout == "a\n"
    assert result.duration_ms >= SMALL.wall_s * 1000


async def test_a_fork_bomb_is_contained_while_other_runs_and_the_server_keep_working():
    bomb = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
    bad = asyncio.create_task(run_python(bomb, SMALL))
    await asyncio.sleep(0.5)
    # The server can still start processes, and other runs still run.
    assert subprocess.run(["true"], timeout=5).returncode == 0
    good = await run_python(HELLO, SMALL)
    bad_result = await bad
    assert_fine(good)
    assert bad_result.timed_out


async def test_processes_are_capped_per_run():
    code = """
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError as exc:
    print(children)
    raise
"""
    result = await run_python(code, SMALL)
    assert 0 < int(result.stdout) < SMALL.processes
    assert result.limit == "processes" and "Resource temporarily unavailable" in result.stderr


async def test_an_8_gib_allocation_is_out_of_memory():
    bad, good = await alongside("block = bytearray(8 * 1024 ** 3)\nprint('allocated')")
    assert bad.oom and bad.limit == "memory" and bad.exit_code == 1
    assert "MemoryError" in bad.stderr and "allocated" not in bad.stdout
    assert_fine(good)


@pytest.mark.parametrize(
    "code, limit",
    [
        # One file of 4 GiB: the file size limit.
        ("with open('big', 'wb') as f:\n    for _ in range(4096):\n        f.write(CHUNK)",
         "file_size"),
        # 4 GiB in many files of 4 MiB: the run's disk (a tmpfs of 16 MiB).
        ("for i in range(1024):\n    with open(f'part{i}', 'wb') as f:\n        for _ in range(4):"
         "\n            f.write(CHUNK)", "disk"),
        # The same in /dev/shm, a tmpfs of its own.
        ("for i in range(1024):\n    with open(f'/dev/shm/part{i}', 'wb') as f:\n"
         "        for _ in range(4):\n            f.write(CHUNK)", "disk"),
    ],
    ids=["one-file", "many-files", "dev-shm"],
)  # fmt: skip
async def test_4_gib_of_disk_writes_are_stopped(code, limit):
    bad, good = await alongside("CHUNK = b'x' * 1024 * 1024\n" + code)
    assert bad.limit == limit and bad.exit_code == 1, bad.stderr
    assert_fine(good)


async def test_200_mb_of_output_is_cut_and_the_run_stopped():
    chunks: list[tuple[str, str]] = []

    async def on_output(stream: str, text: str) -> None:
        chunks.append((stream, text))

    code = "import sys\nfor _ in range(200):\n    sys.stdout.write('x' * 1_000_000)"
    result = await run_python(code, SMALL, on_output)
    # Stopped by the cap (not left blocked on a full pipe until the wall clock).
    assert result.truncated and result.limit == "output" and result.exit_code is None
    assert not result.timed_out
    assert len(result.stdout) == SMALL.output_bytes
    assert sum(len(text) for _, text in chunks) == SMALL.output_bytes


async def test_output_streams_as_it_is_printed():
    arrivals: list[tuple[float, str, str]] = []

    async def on_output(stream: str, text: str) -> None:
        arrivals.append((time.monotonic(), stream, text))

    code = (
        "import sys, time\nprint('first')\nprint('oops', file=sys.stderr)\n"
        "time.sleep(1)\nprint('second')"
    )
    result = await run_python(code, SMALL, on_output)
    finished = time.monotonic()
    assert result.stdout == "first\nsecond\n" and result.stderr == "oops\n"
    first = next(at for at, stream, text in arrivals if "first" in text)
    assert finished - first > 0.5  # it came during the second's sleep, not at the end
    assert ("stderr", "oops\n") in [(stream, text) for _, stream, text in arrivals]


def processes_with(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    if marker.encode() in cmdline.read():
                        found.append(int(pid))
            except OSError:
                continue
    return found


def daemon(marker: str) -> str:
    """Code that leaves a double-forked, detached sleeper behind (named by `marker`)."""
    return f"""
import os, subprocess, time
subprocess.Popen(["/bin/sh", "-c", "(setsid sleep 300.{marker} </dev/null >/dev/null 2>&1 &)"])
time.sleep(0.5)
print("started", flush=True)
"""


async def test_a_daemonized_process_does_not_outlive_its_run():
    marker = str(uuid.uuid4().int)[:12]
    result = await run_python(daemon(marker), SMALL)
    assert result.stdout == "started\n"
    assert processes_with(f"300.{marker}") == []


async def test_a_cancelled_run_is_killed_whole():
    marker = str(uuid.uuid4().int)[:12]
    started = asyncio.Event()

    async def on_output(stream: str, text: str) -> None:
        started.set()

    run = asyncio.create_task(
        run_python(daemon(marker) + "time.sleep(60)", Limits(wall_s=30), on_output)
    )
    await asyncio.wait_for(started.wait(), 10)
    assert processes_with(f"300.{marker}")  # the sleeper runs...
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert processes_with(f"300.{marker}") == []  # ...and is gone with the run
    assert processes_with("/sandbox/main.py") == []


async def test_nothing_of_a_run_reaches_the_next_one():
    write = """
import os
for path in ("/sandbox/left", "/tmp/left2", "/dev/shm/left3"):
    with open(path, "w") as f:
        f.write("x")
print(sorted(os.listdir("/sandbox")))
"""
    first = await run_python(write, SMALL)
    assert first.stdout == "['left', 'left2', 'main.py']\n"
    look = "import os\nprint(sorted(os.listdir('/sandbox')), os.listdir('/dev/shm'))"
    second = await run_python(look, SMALL)
    assert second.stdout == "['main.py'] []\n"
