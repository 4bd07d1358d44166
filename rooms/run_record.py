"""How a `run` event reads for people: one timeline line, and its section in the Markdown
transcript with the output as it was printed (rooms.transcript uses both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MODES = {"run": "ran", "tests": "ran the tests of", "hidden": "ran the hidden tests of"}
TABLE_ROWS = 50  # rows of a query's result shown in the Markdown; the JSON keeps them all


def outcome(data: dict[str, Any]) -> str:
    """'exit 0, 0.4 s', '2 passed, 1 failed, timed out', 'stopped after 3.1 s'..."""
    seconds = f"{(data.get('duration_ms') or 0) / 1000:.1f} s"
    if data.get("failure"):
        return f"failed: {data['failure']}"
    if data.get("stopped"):
        return f"stopped after {seconds}"
    parts = []
    tests = data.get("tests")
    if tests:
        parts.append(f"{tests['passed']} passed, {tests['failed']} failed")
    elif data.get("exit_code") is not None:
        parts.append(f"exit {data['exit_code']}")
    parts.append(seconds)
    parts += marks(data)
    return ", ".join(parts)


def marks(data: dict[str, Any]) -> list[str]:
    found = []
    if data.get("timed_out"):
        found.append("timed out")
    if data.get("oom"):
        found.append("out of memory")
    if data.get("truncated") and data.get("limit") == "output":
        found.append(f"output cut at {(data.get('output_limit') or 0) // 1024} KiB")
    elif data.get("truncated"):
        found.append("rows cut")
    return found


def describe_run(data: dict[str, Any], who: str) -> str:
    verb = MODES.get(data.get("mode", ""), "ran")
    step = f" (step {data['step']})" if data.get("step") else ""
    return f"{who} {verb} “{data.get('title')}”{step}: {outcome(data)}"


def render_runs(
    events: list[dict[str, Any]], who: Callable[[int | None], str], when: Callable[[str], str]
) -> list[str]:
    """The transcript's Runs section: each run with its tests, table and output."""
    from rooms.transcript import _cell, _fence

    runs = [event for event in events if event["type"] == "run"]
    lines = ["## Runs", ""]
    if not runs:
        return [*lines, "No runs.", ""]
    for event in runs:
        data = event["data"]
        lines += [f"### `{when(event['at'])}` {describe_run(data, who(event['actor']))}", ""]
        for test in (data.get("tests") or {}).get("results", []):
            first = (test.get("message") or "").strip().splitlines()[:1]
            message = f": {_cell(first[0])}" if first else ""
            lines.append(f"- {'pass' if test['ok'] else 'FAIL'} {_cell(test['name'])}{message}")
        if data.get("tests"):
            lines.append("")
        table = data.get("table") or {}
        if table.get("plan"):
            fence = _fence(table["plan"])
            lines += [fence, *table["plan"].splitlines(), fence, ""]
        elif table.get("columns"):
            lines.append("| " + " | ".join(_cell(c) for c in table["columns"]) + " |")
            lines.append("|" + " --- |" * len(table["columns"]))
            for row in table.get("rows", [])[:TABLE_ROWS]:
                lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
            more = table.get("row_count", 0) - TABLE_ROWS
            lines += [f"\n({more} more rows)" if more > 0 else "", ""]
        for stream in ("stdout", "stderr"):
            text = data.get(stream) or ""
            if text:
                fence = _fence(text)
                lines += [f"{stream}:", "", fence, *text.splitlines(), fence, ""]
    return lines
