"""Real daphne processes for tests: started on a free port against the test database."""

import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import redis

from config import serve

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """DATABASE_URL of the database pytest-django created for this run."""
    from django.db import connection

    params = connection.settings_dict
    return (
        f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        f"/{params['NAME']}"
    )


class ChildProcess:
    """A process a test starts: its output kept in a file, stop() is SIGTERM then SIGKILL."""

    stop_timeout_s = 10.0

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: nobody reads a pipe while the test runs, and once its buffer
        # is full every log line blocks the process.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        """What the process logged so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no cleanup runs, as when a machine dies."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()


class DaphneServer(ChildProcess):
    """One daphne process serving config.asgi on 127.0.0.1; kill() is SIGKILL."""

    def __init__(
        self, port: int | None = None, env: dict[str, str] | None = None, access_log: bool = False
    ) -> None:
        super().__init__()
        self.port = port or free_port()
        # daphne writes its access log to stdout, as under `make run` and in the container;
        # kept with the rest of the output when asked for, else dropped.
        self.access_log = access_log
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            **(env or {}),
        }

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "DaphneServer":
        self.process = subprocess.Popen(
            serve.command("127.0.0.1", self.port),
            cwd=ROOT,
            env=self.env,
            stdout=self.log if self.access_log else subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.output()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.http_url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daphne did not become healthy in time")


class RedisServer:
    """A redis-server of the test's own (never the shared one), restartable on its port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)

    async def drop_subscribers(self, processes: int) -> None:
        """Once every process has (re)subscribed, disconnect them all, as Redis does to a slow
        subscriber: whatever is published until they subscribe again is lost."""
        client = redis.Redis(port=self.port)
        while len(client.client_list(_type="pubsub")) < processes:
            await asyncio.sleep(0.05)
        assert client.client_kill_filter(_type="pubsub") == processes
