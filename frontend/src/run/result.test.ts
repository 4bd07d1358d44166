import { describe, expect, it } from "vitest";
import { marks, outcomeText, queueText, succeeded } from "./result";

describe("outcomeText", () => {
  it("says the exit code and duration of a plain run", () => {
    expect(outcomeText({ exit_code: 0, duration_ms: 412 })).toBe("exit 0 · 0.4 s");
  });
  it("counts tests instead of the exit code", () => {
    const tests = { passed: 2, failed: 1, results: [] };
    expect(outcomeText({ exit_code: 1, duration_ms: 1200, tests })).toBe("2 passed, 1 failed · 1.2 s");
  });
  it("marks the limits that stopped a run", () => {
    expect(outcomeText({ exit_code: null, timed_out: true, duration_ms: 10_000 })).toBe("10.0 s · timed out");
    expect(marks({ oom: true })).toEqual(["out of memory"]);
    expect(marks({ truncated: true, limit: "output", output_limit: 65536 })).toEqual(["output cut at 64 KiB"]);
  });
  it("says stopped and failed runs plainly", () => {
    expect(outcomeText({ stopped: true, duration_ms: 3100 })).toBe("Stopped after 3.1 s");
    expect(outcomeText({ failure: "the runner process stopped" })).toBe("Failed: the runner process stopped");
    expect(succeeded({ stopped: true, exit_code: 0 })).toBe(false);
    expect(succeeded({ exit_code: 0 })).toBe(true);
  });
});

describe("queueText", () => {
  it("tells the place in the queue, then the running time", () => {
    expect(queueText("queued", 2, 0)).toBe("Queued, 2 ahead");
    expect(queueText("queued", 0, 0)).toBe("Queued, next");
    expect(queueText("running", 0, 3100)).toBe("Running 3.1 s");
  });
});
