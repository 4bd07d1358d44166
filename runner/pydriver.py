"""Runs a question's tests inside the sandbox: `python3 pydriver.py SPEC REPORT_FD`.

Not imported by the server: its source is copied into each test run, where Debian's python3
runs it with the standard library and the sandbox's packages only.

SPEC is a JSON file `{"code", "tests": [{"name", "code"}], "timeout"}`. For each test a child
forked from this pristine interpreter runs the code, then the test, in one module namespace,
and sends its verdict through a pipe; so no test sees another's state, at the cost of one
fork rather than a new interpreter (and Django import) per test. The parent waits up to
`timeout` seconds, then kills the child and whatever it left running (kill(-1) reaches every
process of the run but this one and the sandbox's init), empties /sandbox and /dev/shm, and
writes one JSON line per test to REPORT_FD, which the tests' code never holds.
"""

import ast
import contextlib
import itertools
import json
import linecache
import os
import select
import shutil
import signal
import stat
import sys
import time
import traceback

CODE_FILE = "main.py"  # the candidate's code, as tracebacks name it
TEST_FILE = "test"
TEST_FUNCTION = "__test__"
MESSAGE_CAP = 2000
DETAIL_LINES = 12


def _remember(filename, source):
    """So tracebacks show the lines of code that was never in a file."""
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)


def _detailed_comparison():
    """pytest's explanation of a failed comparison (a list diff, say), when pytest is here."""
    try:
        from _pytest.assertion import util

        def compare(op, left, right):
            lines = util.assertrepr_compare(
                op,
                left,
                right,
                verbose=0,
                highlighter=lambda source, lexer="python": source,
                assertion_text_diff_style="ndiff",
            )
            lines = [line.replace("\n", "\\n") for line in itertools.islice(lines, DETAIL_LINES)]
            return "\n~".join(lines).replace("%", "%%") if lines else None

        util._reprcompare = compare
    except Exception:
        pass


def _rewriter():
    """pytest's assertion rewriting, if pytest is here: `assert f(2) == 5` then says
    `assert 4 == 5` and `where 4 = f(2)`. Imported before the forks, once."""
    try:
        from _pytest.assertion.rewrite import rewrite_asserts

        return rewrite_asserts
    except Exception:
        return None


def _compile_test(source, rewrite):
    """The test as the body of a function that is then called, so the code's names show as
    names in a failed assertion, not as reprs; at module level if it cannot be a body.
    Returns the code object and whether it is wrapped."""
    tree = ast.parse(source, TEST_FILE)
    body = ast.parse(f"def {TEST_FUNCTION}():\n    pass\n{TEST_FUNCTION}()\n", TEST_FILE)
    body.body[0].body = tree.body or [ast.Pass()]
    for candidate in (body, tree):
        try:
            if rewrite is not None:
                rewrite(candidate, source.encode(), TEST_FILE, None)
            ast.fix_missing_locations(candidate)
            return compile(candidate, TEST_FILE, "exec"), candidate is body
        except SyntaxError:  # `from x import *` or `nonlocal`, say
            continue
    return compile(source, TEST_FILE, "exec"), False


def _message(exc, wrapped):
    """What went wrong: the lines of the code and the test it went through, then the error
    (for a failed assertion, its text and pytest's expected-versus-got)."""
    if isinstance(exc, SystemExit):
        return f"the code exited (SystemExit: {exc.code!r}) before the test finished"
    lines = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename not in (CODE_FILE, TEST_FILE):
            continue
        if frame.filename == TEST_FILE and wrapped and frame.name == "<module>":
            continue  # the call of the wrapping function
        where = f"{frame.filename} line {frame.lineno}"
        if frame.name not in ("<module>", TEST_FUNCTION):
            where += f", in {frame.name}"
        lines.append(f"{where}: {(frame.line or '').strip()}")
    error = "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    for line in error.splitlines():
        # pytest's indentation and its advice to rerun verbosely are not for this report.
        if line.strip() and not line.strip().startswith("Use -v to get"):
            lines.append(line[2:] if line.startswith("  ") else line)
    return _cap("\n".join(lines))


def _cap(text):
    return text if len(text) <= MESSAGE_CAP else text[: MESSAGE_CAP - 20] + "\n... (cut)"


def _run_one(code, test, rewrite, verdict):
    """In the forked child: the code, then the test; the verdict goes to `verdict`."""
    ok, message, wrapped = False, "", False
    try:
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        compiled_code = compile(code, CODE_FILE, "exec")
        compiled_test, wrapped = _compile_test(test["code"], rewrite)
        exec(compiled_code, namespace)
        exec(compiled_test, namespace)
        ok = True
    except BaseException as exc:  # noqa: B036 - SystemExit and KeyboardInterrupt fail too
        message = _message(exc, wrapped)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os.write(verdict, json.dumps({"ok": ok, "message": message}).encode())
    os._exit(0)


def _wait(pid, verdict, timeout):
    """The child's verdict within `timeout`, or why there is none."""
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return {"ok": False, "message": f"timed out after {timeout:g} s"}
        ready, _, _ = select.select([verdict], [], [], left)
        if not ready:
            continue
        data = os.read(verdict, 65536)
        if data:
            chunks.append(data)
            continue
        # The pipe closed: the child is done (or died).
        _, status = os.waitpid(pid, 0)
        if chunks:
            try:
                result = json.loads(b"".join(chunks))
                if isinstance(result, dict) and status == 0:
                    return {"ok": result.get("ok") is True, "message": str(result["message"])}
            except (ValueError, KeyError):
                pass
        return {"ok": False, "message": _died(status)}


def _died(status):
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = {
            signal.SIGKILL: "killed (SIGKILL): out of memory or CPU time?",
            signal.SIGXCPU: "stopped: it used up its CPU time",
            signal.SIGSEGV: "crashed (SIGSEGV)",
        }.get(number, f"killed by signal {number}")
        return f"the test process {name}"
    return f"the test process ended without a verdict (exit status {os.WEXITSTATUS(status)})"


def _clean(directories=("/sandbox", "/dev/shm")):
    """Empty the run's writable directories, so the next test finds them as the first did."""

    def writable_then_retry(function, path, _):
        os.chmod(os.path.dirname(path), stat.S_IRWXU)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, stat.S_IRWXU)
        function(path)

    for directory in directories:
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            with contextlib.suppress(OSError):
                if os.path.isdir(path) and not os.path.islink(path):
                    os.chmod(path, stat.S_IRWXU)
                    shutil.rmtree(path, onerror=writable_then_retry)
                else:
                    os.unlink(path)


def main():
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    report = int(sys.argv[2])
    rewrite = _rewriter()
    _detailed_comparison()
    if "django" in spec["code"]:
        with contextlib.suppress(Exception):
            import django.db.models  # noqa: F401 - loaded once, before the forks
    for test in spec["tests"]:
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            os.close(report)
            code, tests = spec["code"], [test]
            del spec  # the other tests are not this one's business
            _remember(CODE_FILE, code)
            _remember(TEST_FILE, tests[0]["code"])
            _run_one(code, tests[0], rewrite, write_end)
        os.close(write_end)
        result = _wait(pid, read_end, spec["timeout"])
        os.close(read_end)
        # Whatever the test started and left behind goes before the next test.
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
        _clean()
        line = {"name": test["name"], **result}
        os.write(report, (json.dumps(line) + "\n").encode())


if __name__ == "__main__":
    main()
