// What a run's result says to people: the console's last line, the review's summary.
// Shared by the room (run.finished frames) and the review (the transcript's run events).

export interface TestRow {
  name: string;
  ok: boolean;
  message?: string;
}

export interface RunTable {
  columns?: string[];
  rows?: (string | null)[][];
  row_count?: number;
  truncated?: boolean;
  command?: string;
  plan?: string;
}

export interface RunOutcome {
  exit_code?: number | null;
  timed_out?: boolean;
  oom?: boolean;
  truncated?: boolean;
  limit?: string | null;
  output_limit?: number;
  duration_ms?: number;
  stopped?: boolean;
  failure?: string;
  tests?: { passed: number; failed: number; results: TestRow[] } | null;
  table?: RunTable | null;
}

export const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;

/** "timed out", "out of memory", "output cut at 64 KiB": what stopped or cut the run. */
export function marks(r: RunOutcome): string[] {
  const found: string[] = [];
  if (r.timed_out) found.push("timed out");
  if (r.oom) found.push("out of memory");
  if (r.truncated && r.limit === "output") found.push(`output cut at ${Math.floor((r.output_limit ?? 0) / 1024)} KiB`);
  else if (r.truncated) found.push("rows cut");
  return found;
}

/** One line: "exit 0 · 0.4 s", "2 passed, 1 failed · 1.2 s · timed out", "stopped after 3.1 s". */
export function outcomeText(r: RunOutcome): string {
  if (r.failure) return `Failed: ${r.failure}`;
  if (r.stopped) return `Stopped after ${seconds(r.duration_ms)}`;
  const parts: string[] = [];
  if (r.tests) parts.push(`${r.tests.passed} passed, ${r.tests.failed} failed`);
  else if (r.exit_code !== null && r.exit_code !== undefined) parts.push(`exit ${r.exit_code}`);
  parts.push(seconds(r.duration_ms));
  return [...parts, ...marks(r)].join(" · ");
}

/** Whether the run went well: exit 0 and every test passed. */
export function succeeded(r: RunOutcome): boolean {
  if (r.failure || r.stopped || r.timed_out || r.oom) return false;
  if (r.tests) return r.tests.failed === 0;
  return r.exit_code === 0;
}

export function queueText(status: string, ahead: number, runningMs: number): string {
  if (status === "queued") return ahead > 0 ? `Queued, ${ahead} ahead` : "Queued, next";
  return `Running ${seconds(runningMs)}`;
}

export const MODE_LABEL: Record<string, string> = { run: "Run", tests: "Tests", hidden: "Hidden tests" };
