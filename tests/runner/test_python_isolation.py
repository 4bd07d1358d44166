"""What code in the Python sandbox can reach: no network, no host file, process or secret."""

import asyncio
import json
import os
import socket
import uuid

from django.conf import settings

from runner.sandbox import Limits, run_python

LIMITS = Limits(wall_s=10, cpu_s=5)


async def outcome(code: str, limits: Limits = LIMITS) -> dict:
    """Run `code`, which prints one JSON object last; that object."""
    result = await run_python(code, limits)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def host_address() -> set[str]:
    """The address this machine reaches the outside from, if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # sends nothing
        return {probe.getsockname()[0]}
    except OSError:
        return set()
    finally:
        probe.close()


async def test_no_connection_to_postgresql_redis_or_the_host_over_any_socket():
    # A listener of the test's own on an abstract unix socket (namespaced like the network).
    abstract = f"\0interview-sandbox-{uuid.uuid4().hex}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(abstract)
    listener.listen()
    host_addresses = sorted(
        {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
        | host_address()
    )
    code = f"""
import json, socket
tries = {{}}
def attempt(name, family, address):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(address)
        tries[name] = "connected"
    except OSError as exc:
        tries[name] = type(exc).__name__
    finally:
        s.close()
for port in (5432, 6379, 8000):
    attempt(f"127.0.0.1:{{port}}", socket.AF_INET, ("127.0.0.1", port))
    for host in {host_addresses!r}:
        attempt(f"{{host}}:{{port}}", socket.AF_INET, (host, port))
for path in ("/run/postgresql/.s.PGSQL.5432", "/var/run/postgresql/.s.PGSQL.5432",
             "/tmp/.s.PGSQL.5432", "/var/run/redis/redis-server.sock"):
    attempt(path, socket.AF_UNIX, path)
attempt("abstract", socket.AF_UNIX, {abstract!r})
try:
    socket.getaddrinfo("pypi.org", 443)
    tries["dns"] = "resolved"
except OSError as exc:
    tries["dns"] = type(exc).__name__
tries["interfaces"] = [name for _, name in socket.if_nameindex()]
print(json.dumps(tries))
"""
    try:
        tries = await outcome(code)
    finally:
        listener.close()
    interfaces = tries.pop("interfaces")
    assert interfaces == ["lo"]
    assert "connected" not in tries.values(), tries
    assert tries["dns"] != "resolved"
    assert len(tries) >= 9


async def test_no_project_file_host_process_or_server_secret_is_visible(monkeypatch):
    secret = f"secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("INTERVIEW_ROOM_TEST_SECRET", secret)
    project = str(settings.BASE_DIR)
    code = f"""
import json, os
seen = {{}}
seen["environment"] = dict(os.environ)
texts = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for name in ("environ", "cmdline"):
            try:
                with open(f"/proc/{{pid}}/{{name}}", "rb") as f:
                    texts.append(f.read().decode(errors="replace"))
            except OSError:
                pass
seen["proc_text"] = "\\n".join(texts)
seen["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
os.symlink({project!r}, "/sandbox/project")
seen["paths"] = {{
    p: os.path.exists(p)
    for p in [{project!r}, {project!r} + "/manage.py", "/sandbox/project/manage.py",
              "/etc/passwd", "/etc/hostname", "/root", "/home", "/run", "/var", "/sys/class",
              "/proc/1/root/etc/passwd", "/usr/local/lib"]
}}
seen["root"] = sorted(os.listdir("/"))
print(json.dumps(seen))
"""
    seen = await outcome(code)
    assert secret not in json.dumps(seen)
    assert set(seen["environment"]) <= {
        "PATH", "HOME", "TMPDIR", "LANG", "USER", "LOGNAME", "LC_CTYPE", "PWD"
    }  # fmt: skip
    assert "pytest" not in seen["proc_text"] and "daphne" not in seen["proc_text"]
    assert len(seen["pids"]) <= 3 and os.getpid() not in seen["pids"][1:]
    assert not any(seen["paths"].values()), seen["paths"]
    assert seen["root"] == ["bin", "dev", "etc", "lib", "lib64", "proc", "sandbox", "sbin",
                            "tmp", "usr"]  # fmt: skip


async def test_system_directories_are_read_only_and_privileges_cannot_be_gained():
    code = """
import ctypes, json, os
written = {}
for path in ("/x", "/usr/x", "/usr/local/x", "/etc/x", "/dev/x", "/opt/x", "/proc/x",
             "/usr/lib/python3/dist-packages/x.py", "/sandbox/x", "/tmp/y", "/dev/shm/z"):
    try:
        with open(path, "w") as f:
            f.write("1")
        written[path] = True
    except OSError:
        written[path] = False
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines())
try:
    os.setuid(0)
    became_root = True
except OSError:
    became_root = False
libc = ctypes.CDLL(None, use_errno=True)
unshared = libc.unshare(0x10000000) == 0  # CLONE_NEWUSER: a nested user namespace
print(json.dumps({"written": written, "no_new_privs": status["NoNewPrivs"].strip(),
                  "cap_eff": status["CapEff"].strip(), "uid": os.getuid(),
                  "became_root": became_root, "unshared": unshared}))
"""
    seen = await outcome(code)
    writable = {path for path, ok in seen["written"].items() if ok}
    assert writable == {"/sandbox/x", "/tmp/y", "/dev/shm/z"}
    assert seen["no_new_privs"] == "1"
    assert int(seen["cap_eff"], 16) == 0
    assert seen["uid"] != 0 and not seen["became_root"] and not seen["unshared"]


async def test_each_concurrent_run_has_its_own_uid_as_root():
    # Inside, every run is uid 1000; outside, each is a slot's own uid while it runs.
    code = "import os, time; time.sleep(1); print(os.getuid())"
    runs = [asyncio.create_task(run_python(code, LIMITS)) for _ in range(3)]
    await asyncio.sleep(0.6)
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                    if b"/sandbox/main.py" in cmdline.read():
                        uids.add(entry.stat().st_uid)
            except OSError:
                continue
    results = await asyncio.gather(*runs)
    assert [r.stdout for r in results] == ["1000\n"] * 3
    if os.geteuid() == 0:
        base = settings.SANDBOX_UID_BASE
        assert len(uids) >= 3
        assert all(base <= uid < base + settings.SANDBOX_UID_COUNT for uid in uids)
