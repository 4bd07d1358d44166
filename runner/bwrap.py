"""One command in a bubblewrap sandbox, supervised: limits, capped streamed output, kill.

Inside: every namespace of its own (user, PID, mount, network, IPC, UTS, cgroup), no nested
user namespaces; `/` is an empty read-only tmpfs holding `/usr` (read-only), a fresh `/proc`
and `/dev`, the declared packages (read-only, over Debian's dist-packages) and one writable
tmpfs of `disk_bytes`, `/sandbox` (also `/tmp`), gone with the run. No `/etc`, `/home`,
`/run`, project file or environment variable but the few set here; loopback only.

A root server drops to a uid of the run's own before bubblewrap starts (a slot above
SANDBOX_UID_BASE, locked across processes), since root is exempt from RLIMIT_NPROC; the
rlimits are set inside the sandbox (prlimit), where RLIMIT_NPROC counts the run's processes
only. Stopping a run kills bubblewrap's process group: its PID-namespace init dies with it
and the kernel kills everything left in the namespace, daemons included; a root server then
sweeps the run's uid, so nothing of a run outlives it.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from runner.results import Limits, OnOutput, SandboxUnavailable

HOME = "/sandbox"  # the run's working directory, a fresh tmpfs
PACKAGES = "/usr/lib/python3/dist-packages"  # where Debian's python3 looks for packages
SHM_BYTES = 8 * 1024 * 1024
REPORT_CAP = 1024 * 1024  # what a driver may report through its side channel
COALESCE_S = 0.01  # output chunks are at most this often per stream
ENVIRONMENT = {
    "PATH": "/usr/bin:/bin",
    "HOME": HOME,
    "TMPDIR": HOME,
    "LANG": "C.UTF-8",
    "USER": "sandbox",
    "LOGNAME": "sandbox",
}
# bubblewrap itself, before the sandbox: nothing of the server's environment.
BWRAP_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


@dataclass
class Outcome:
    exit_code: int | None  # None when stopped; a signal shows as 128 + its number
    stdout: str
    stderr: str
    stopped: str | None  # "wall" or "output" when the supervisor killed the run
    truncated: bool
    duration_ms: float
    report: bytes  # what the command wrote to its report fd, if it was given one


# --- where things are -----------------------------------------------------------------------


def bwrap_path() -> str | None:
    return shutil.which(settings.SANDBOX_BWRAP)


def packages_dir() -> Path:
    return Path(settings.SANDBOX_DIR) / "site-packages"


def _check() -> str:
    """The bubblewrap binary, or SandboxUnavailable saying what is missing."""
    bwrap = bwrap_path()
    if not bwrap:
        raise SandboxUnavailable(
            f"{settings.SANDBOX_BWRAP!r} not found: install the Debian package bubblewrap "
            "(`make setup` does)"
        )
    python = settings.SANDBOX_PYTHON
    if not python.startswith("/usr/") or not os.access(python, os.X_OK):
        raise SandboxUnavailable(f"no interpreter at {python} (SANDBOX_PYTHON, under /usr/)")
    if not packages_dir().is_dir():
        raise SandboxUnavailable(
            f"the sandbox's packages are not installed in {packages_dir()}: run `make sandbox`"
        )
    return bwrap


_probed: dict[tuple[str, str, str], str] = {}


def sandbox_available() -> tuple[bool, str]:
    """Whether code can run here, and why not: checked once per process by a real run."""
    try:
        bwrap = _check()
    except SandboxUnavailable as exc:
        return False, str(exc)
    key = (bwrap, settings.SANDBOX_PYTHON, str(packages_dir()))
    if key not in _probed:
        _probed[key] = _probe(bwrap)
    why = _probed[key]
    return (not why, why)


def _probe(bwrap: str) -> str:
    slot = _try_slot()
    if slot is None:
        return ""  # every uid is busy running code: the sandbox works
    uid, lock = slot
    packages = os.open(packages_dir(), os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        command = [
            bwrap,
            *_bwrap_args(Limits(), packages, []),
            *_prlimit(Limits()),
            settings.SANDBOX_PYTHON,
            "-c",
            "pass",
        ]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=30,
            pass_fds=[packages],
            env=BWRAP_ENVIRONMENT,
            cwd="/",
            **_drop_privileges(uid),  # type: ignore[call-overload]
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"sandbox unavailable: bubblewrap could not start: {exc}"
    finally:
        os.close(packages)
        if lock is not None:
            os.close(lock)
    if done.returncode != 0:
        return f"sandbox unavailable: bubblewrap failed: {done.stderr.strip()[:500]}"
    return ""


# --- the sandbox ------------------------------------------------------------------------------


def _bwrap_args(
    limits: Limits, packages_fd: int, files: list[tuple[int, str, bool]], info_fd: int | None = None
) -> list[str]:
    """bubblewrap's options; `files` are (fd, path inside, read-only) copied in at start;
    bubblewrap writes the namespace's init pid to `info_fd`."""
    args = [] if info_fd is None else ["--info-fd", str(info_fd)]
    args += [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--uid", "1000",
        "--gid", "1000",
        "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin",
        "--symlink", "usr/sbin", "/sbin",
        "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64",
        "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
        # Whatever was installed by hand under /usr/local stays out.
        "--tmpfs", "/usr/local",
        "--remount-ro", "/usr/local",
        "--ro-bind-fd", str(packages_fd), PACKAGES,
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm",
        "--size", str(limits.disk_bytes), "--tmpfs", HOME,
        "--symlink", HOME, "/tmp",
    ]  # fmt: skip
    for fd, path, read_only in files:
        args += ["--ro-bind-data" if read_only else "--file", str(fd), path]
    # The root and /dev tmpfs would otherwise be writable, and unbounded.
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", HOME, "--clearenv"]
    for name, value in ENVIRONMENT.items():
        args += ["--setenv", name, value]
    return args


def _prlimit(limits: Limits) -> list[str]:
    """The rlimits, set inside the sandbox's user namespace (see the module's doc)."""
    return [
        "--",
        "/usr/bin/prlimit",
        f"--cpu={limits.cpu_s}:{limits.cpu_s + 1}",
        f"--as={limits.memory_bytes}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_size_bytes}",
        f"--nofile={limits.open_files}",
        "--core=0",
        "--",
    ]


# --- a uid per concurrent run (root only) ------------------------------------------------------


def _drop_privileges(uid: int | None) -> dict[str, object]:
    if uid is None:
        return {"process_group": 0}
    return {"process_group": 0, "user": uid, "group": uid, "extra_groups": []}


def _try_slot() -> tuple[int | None, int | None] | None:
    """(uid, lock fd) of a free slot, (None, None) when not root, None when all are busy."""
    if os.geteuid() != 0:
        return None, None
    lock_dir = Path(settings.SANDBOX_LOCK_DIR)
    lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    count = settings.SANDBOX_UID_COUNT
    start = random.randrange(count)
    for offset in range(count):
        uid = settings.SANDBOX_UID_BASE + (start + offset) % count
        fd = os.open(lock_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return uid, fd
    return None


async def _acquire_slot() -> tuple[int | None, int | None]:
    while (slot := _try_slot()) is None:
        await asyncio.sleep(0.05)
    return slot


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid and not _is_zombie(entry.name):
                    pids.append(int(entry.name))
    return pids


def _is_zombie(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True


async def _sweep(uid: int) -> None:
    """Kill whatever still runs as the run's uid (nothing should), until none is left."""
    for _ in range(400):
        pids = _processes_of(uid)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.005)
    raise RuntimeError(f"processes of sandbox uid {uid} survive SIGKILL")


# --- supervising a run --------------------------------------------------------------------------


class _Output:
    """stdout and stderr of a run: decoded, streamed and kept up to one shared byte cap."""

    def __init__(self, cap: int, on_output: OnOutput | None) -> None:
        self.left = cap
        self.on_output = on_output
        self.parts: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self.decoders = {
            name: codecs.getincrementaldecoder("utf-8")(errors="replace") for name in self.parts
        }
        self.truncated = False
        self.over_cap = asyncio.Event()

    async def feed(self, stream: str, data: bytes, final: bool = False) -> None:
        keep = data[: self.left]
        self.left -= len(keep)
        text = self.decoders[stream].decode(keep, final=final or len(keep) < len(data))
        if text:
            self.parts[stream].append(text)
            if self.on_output is not None:
                await self.on_output(stream, text)
        if len(keep) < len(data):
            self.truncated = True
            self.over_cap.set()

    async def pump(self, stream: str, reader: asyncio.StreamReader) -> None:
        """Read `reader` to its end. Past the cap it is still drained, not kept: a pipe left
        full would block the run and keep asyncio from ever seeing the process end."""
        while data := await reader.read(65536):
            if self.truncated:
                continue
            # A burst of small writes (print is unbuffered) goes on as one chunk.
            deadline = time.monotonic() + COALESCE_S
            while len(data) < 65536 and (left := deadline - time.monotonic()) > 0:
                try:
                    more = await asyncio.wait_for(reader.read(65536 - len(data)), left)
                except TimeoutError:
                    break
                if not more:
                    break
                data += more
            await self.feed(stream, data)
        if not self.truncated:
            await self.feed(stream, b"", final=True)

    def text(self, stream: str) -> str:
        return "".join(self.parts[stream])


async def _read_report(reader: asyncio.StreamReader) -> bytes:
    chunks, size = [], 0
    while size < REPORT_CAP and (data := await reader.read(65536)):
        chunks.append(data)
        size += len(data)
    return b"".join(chunks)[:REPORT_CAP]


def _memfd(name: str, content: bytes) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


async def run(
    argv: list[str],
    *,
    limits: Limits,
    wall_s: float,
    files: dict[str, tuple[bytes, bool]] | None = None,
    on_output: OnOutput | None = None,
    report: bool = False,
) -> Outcome:
    """Run `argv` in a fresh sandbox; `files` are {path: (content, read-only)} put in first.

    With `report`, the number of a pipe's write end is appended to argv: what the command
    writes there comes back as `Outcome.report` (a channel the run's output cannot fake).
    Cancelling the awaiting task kills the whole run before the cancellation goes on.
    """
    bwrap = _check()
    loop = asyncio.get_running_loop()
    uid, lock = await _acquire_slot()
    fds: list[int] = []
    report_reader: asyncio.StreamReader | None = None
    report_transport: asyncio.BaseTransport | None = None
    proc: asyncio.subprocess.Process | None = None
    info: BinaryIO | None = None
    tasks: list[asyncio.Task] = []
    try:
        packages = os.open(packages_dir(), os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        fds.append(packages)
        placed = []
        for path, (content, read_only) in (files or {}).items():
            fds.append(_memfd(Path(path).name, content))
            placed.append((fds[-1], path, read_only))
        if report:
            report_read, report_write = os.pipe2(os.O_CLOEXEC)
            fds.append(report_write)
            report_reader = asyncio.StreamReader()
            report_transport, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(report_reader),
                os.fdopen(report_read, "rb", buffering=0),
            )
            argv = [*argv, str(report_write)]
        info_read, info_write = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        info = os.fdopen(info_read, "rb", buffering=0)
        fds.append(info_write)
        command = [
            bwrap,
            *_bwrap_args(limits, packages, placed, info_write),
            *_prlimit(limits),
            *argv,
        ]
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            pass_fds=fds,
            env=BWRAP_ENVIRONMENT,
            cwd="/",
            **_drop_privileges(uid),  # type: ignore[arg-type]
        )
        for fd in fds:
            os.close(fd)
        fds.clear()
        assert proc.stdout is not None and proc.stderr is not None
        output = _Output(limits.output_bytes, on_output)
        pumps = [
            asyncio.create_task(output.pump("stdout", proc.stdout)),
            asyncio.create_task(output.pump("stderr", proc.stderr)),
        ]
        reporting = asyncio.create_task(_read_report(report_reader)) if report_reader else None
        exited = asyncio.create_task(proc.wait())
        over_cap = asyncio.create_task(output.over_cap.wait())
        tasks += [*pumps, exited, over_cap, *([reporting] if reporting else [])]
        await asyncio.wait({exited, over_cap}, timeout=wall_s, return_when="FIRST_COMPLETED")
        stopped = None
        if not exited.done():
            stopped = "output" if output.over_cap.is_set() else "wall"
            _kill(proc)
        exit_code = await exited
        duration_ms = (time.perf_counter() - started) * 1000
        # Output still in the pipes is read; a pipe held open by a dying process closes soon.
        await asyncio.wait(pumps, timeout=2)
        report_data = b""
        if reporting:
            await asyncio.wait([reporting], timeout=2)
            report_data = reporting.result() if reporting.done() else b""
        return Outcome(
            exit_code=None if stopped else exit_code,
            stdout=output.text("stdout"),
            stderr=output.text("stderr"),
            stopped=stopped,
            truncated=output.truncated,
            duration_ms=duration_ms,
            report=report_data,
        )
    finally:
        for fd in fds:
            os.close(fd)
        for task in tasks:
            task.cancel()
        # Also on cancellation: the run is gone, whatever happens to the awaiting task.
        await asyncio.shield(_finish(proc, info, uid, lock, report_transport))


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


async def _finish(
    proc: asyncio.subprocess.Process | None,
    info: BinaryIO | None,
    uid: int | None,
    lock: int | None,
    report_transport: asyncio.BaseTransport | None,
) -> None:
    try:
        if proc is not None:
            _kill(proc)  # after a normal exit the group is empty and this does nothing
            # Closing the pipes lets wait() end even if nobody reads them any more.
            transport = getattr(proc, "_transport", None)
            if transport is not None:
                transport.close()
            await proc.wait()
        if info is not None:
            await _namespace_gone(info)
        if uid is not None:
            await _sweep(uid)
    finally:
        if info is not None:
            info.close()
        if report_transport is not None:
            report_transport.close()
        if lock is not None:
            os.close(lock)


async def _namespace_gone(info: BinaryIO) -> None:
    """Wait for the run's PID namespace to be empty.

    bubblewrap returns as soon as the command exits, while its init may still be killing
    what is left in the namespace: the init exits (a zombie, or gone) only when all is dead.
    """
    try:
        init = int(json.loads(info.read() or b"{}").get("child-pid", 0))
    except (OSError, ValueError, TypeError):
        return
    if init <= 0:
        return
    for _ in range(2000):
        if _is_zombie(str(init)):  # also when it is gone altogether
            return
        await asyncio.sleep(0.001)
    raise RuntimeError(f"the sandbox's init {init} survives its run")
