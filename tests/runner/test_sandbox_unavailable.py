"""Without bubblewrap (or its packages) nothing runs, and running says why: never unsandboxed."""

import io

import pytest
from django.core.management import CommandError, call_command

from runner.sandbox import SandboxUnavailable, run_python, run_python_tests, sandbox_available

PROOF_CODE = "open({path!r}, 'w').write('ran')"


@pytest.mark.parametrize(
    "setting, value, why",
    [
        ("SANDBOX_BWRAP", "/nonexistent/bwrap", "install the Debian package bubblewrap"),
        ("SANDBOX_DIR", "/nonexistent/sandbox", "make sandbox"),
        ("SANDBOX_PYTHON", "/opt/python3", "SANDBOX_PYTHON"),
    ],
)
async def test_no_sandbox_means_no_run_and_a_reason(settings, tmp_path, setting, value, why):
    setattr(settings, setting, value)
    proof = tmp_path / "proof"
    available, reason = sandbox_available()
    assert not available and reason.startswith("sandbox unavailable: ") and why in reason
    with pytest.raises(SandboxUnavailable, match=why):
        await run_python(PROOF_CODE.format(path=str(proof)))
    with pytest.raises(SandboxUnavailable, match=why):
        await run_python_tests("", [{"name": "t", "code": PROOF_CODE.format(path=str(proof))}])
    assert not proof.exists()


def test_run_code_says_why_and_runs_nothing(settings, tmp_path):
    settings.SANDBOX_BWRAP = "/nonexistent/bwrap"
    proof = tmp_path / "proof"
    (tmp_path / "a.py").write_text(PROOF_CODE.format(path=str(proof)))
    with pytest.raises(CommandError, match="sandbox unavailable: .*bubblewrap"):
        call_command("run_code", str(tmp_path / "a.py"), stdout=io.StringIO())
    assert not proof.exists()
