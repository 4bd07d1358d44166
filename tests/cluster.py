"""Several server "hosts" behind the real load balancer, for tests: three daphne processes
(each its own port) and HAProxy in front, run from the committed deploy/haproxy.cfg with
only its server list replaced. Clients connect through the proxy only."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import redis
from django.conf import settings

from relay import liveness
from tests.servers import ROOT, DaphneServer, free_port

CONFIG = ROOT / "deploy" / "haproxy.cfg"
SERVERS_LINE = "    server-template web"


def proxy_config(hosts: dict[str, int], stats_port: int) -> str:
    """The committed configuration, with one server line per local host and a stats page."""
    lines = []
    for line in CONFIG.read_text().splitlines():
        if line.startswith(SERVERS_LINE):
            lines += [f"    server {name} 127.0.0.1:{port}" for name, port in hosts.items()]
        else:
            lines.append(line)
    lines += ["", "frontend stats", f"    bind 127.0.0.1:{stats_port}", "    stats enable",
              "    stats uri /stats"]  # fmt: skip
    return "\n".join(lines) + "\n"


class Cluster:
    """Hosts `host1`..`hostN` behind HAProxy; `url` is the only address clients use."""

    def __init__(self, count: int = 3) -> None:
        self.port = free_port()
        self.stats_port = free_port()
        site = f"http://127.0.0.1:{self.port}"
        # Runs go through Redis to runner workers (`manage.py run_worker`), as with several hosts.
        env = {"PUBLIC_URL": site, "TRUSTED_PROXY_COUNT": "1", "RUNNER_QUEUE": "redis"}
        self.hosts = {f"host{n}": DaphneServer(env=env) for n in range(1, count + 1)}
        self.proxy: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the proxy)
        self.config = tempfile.NamedTemporaryFile("w", suffix=".cfg")  # noqa: SIM115

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> Cluster:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Cluster:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        assert os.path.exists(haproxy), "Debian's haproxy is needed (make test installs it)"
        with ThreadPoolExecutor(len(self.hosts)) as starting:  # each start waits for /healthz
            list(starting.map(lambda host: host.start(timeout=60), self.hosts.values()))
        self.config.write(proxy_config({n: h.port for n, h in self.hosts.items()}, self.stats_port))
        self.config.flush()
        env = {**os.environ, "BIND": f"127.0.0.1:{self.port}", "SITE_HOST": "127.0.0.1"}
        self.proxy = subprocess.Popen(
            [haproxy, "-db", "-f", self.config.name], env=env, stdout=self.log, stderr=self.log
        )
        self.wait_until_up(*self.hosts)
        _wait_for_redis_to_judge()
        return self

    def states(self) -> dict[str, str]:
        """Each host's state as the proxy sees it (UP, DOWN, ...)."""
        url = f"http://127.0.0.1:{self.stats_port}/stats;csv"
        with urllib.request.urlopen(url, timeout=2) as response:
            rows = csv.DictReader(io.StringIO(response.read().decode().lstrip("# ")))
            return {r["svname"]: r["status"] for r in rows if r["svname"] in self.hosts}

    def wait_until(self, wanted: str, *names: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proxy is not None
            if self.proxy.poll() is not None:
                raise RuntimeError(f"haproxy exited: {self.output()[-2000:]}")
            try:
                states = self.states()
                if all(states.get(name, "").startswith(wanted) for name in names):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{names} not {wanted} in time: {self.output()[-2000:]}")

    def wait_until_up(self, *names: str) -> None:
        self.wait_until("UP", *names)

    def kill(self, name: str) -> None:
        """SIGKILL: the host dies without a word, as a machine does."""
        self.hosts[name].kill()

    def terminate(self, name: str) -> int:
        """SIGTERM (a deploy): the host drains and exits; its exit status."""
        process = self.hosts[name].process
        assert process is not None
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=20)

    def restart(self, name: str) -> None:
        self.hosts[name].start(timeout=60)
        self.wait_until_up(name)

    def heal(self) -> None:
        for name, host in self.hosts.items():
            if host.process is None or host.process.poll() is not None:
                self.restart(name)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.proxy and self.proxy.poll() is None:
            self.proxy.terminate()
            self.proxy.wait(timeout=10)
        for host in self.hosts.values():
            host.stop()
        with contextlib.suppress(FileNotFoundError):
            self.config.close()


def served_by(client: object) -> str:
    """Which host answered a websocket client's handshake (the proxy names it)."""
    return client.ws.response.headers["X-Served-By"]  # type: ignore[attr-defined]


def _wait_for_redis_to_judge() -> None:
    """A Redis up for less than liveness.REDIS_UP_S judges no process dead (its subscribers
    may still be coming back): the host-loss tests need one that does."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        while client.info("server")["uptime_in_seconds"] < liveness.REDIS_UP_S:
            time.sleep(0.5)
    finally:
        client.close()
