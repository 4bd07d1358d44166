// One console of the Run panel: the run it shows (queued, running, done), its output as it
// streams in, then the result, the tests and the query's table; its status line and Stop.
// The room has two: the room's runs, which everyone sees, and, for interviewers, the hidden
// tests' (their runs take a place of their own on the server, so both can be under way).
import { h } from "../dom";
import type { Frame } from "../protocol";
import { ChunkCursor } from "./chunks";
import { outcomeText, queueText, succeeded, type RunOutcome } from "./result";
import { tableView, testsList } from "./views";

export interface Current {
  id: string;
  mode: string;
  by: number | null;
  status: "queued" | "running" | "done";
  ahead: number;
  runningSince: number;
}

export class RunConsole {
  readonly section: HTMLElement;
  readonly head: HTMLElement; // its title line
  readonly status: HTMLElement;
  readonly stopButton: HTMLButtonElement;
  private readonly heading: HTMLElement;
  private readonly output: HTMLPreElement;
  private readonly result: HTMLElement;
  private readonly extra: HTMLElement;
  current: Current | null = null;
  private readonly chunks = new ChunkCursor();

  /** `prefix` names its elements: "run" gives #run-output, #run-status, #run-stop-btn... */
  constructor(prefix: string, title: string, onStop: (run: string) => void) {
    this.status = h("span", { id: `${prefix}-status`, class: "run-status", role: "status", "aria-live": "polite" });
    this.stopButton = h(
      "button",
      { type: "button", id: `${prefix}-stop-btn`, class: "btn small danger", hidden: true, onclick: () => this.current && onStop(this.current.id) },
      "Stop",
    );
    this.heading = h("span", { id: `${prefix}-heading`, class: "run-heading" }, title);
    this.head = h("div", { class: "run-console-head" }, this.heading);
    this.output = h("pre", { id: `${prefix}-output`, class: "run-output", "aria-live": "polite", "aria-label": "Output" });
    this.result = h("p", { id: `${prefix}-result`, class: "run-result" });
    this.extra = h("div", { id: `${prefix}-extra`, class: "run-extra" });
    this.section = h(
      "section",
      { id: `${prefix}-console`, class: "run-console", "aria-label": title },
      this.head,
      this.output,
      this.result,
      this.extra,
    );
  }

  /** The run under way here (queued or running), if any. */
  active(): Current | null {
    return this.current && this.current.status !== "done" ? this.current : null;
  }

  shows(run: unknown): boolean {
    return !!this.current && this.current.id === run;
  }

  /** Whoever may stop the run under way sees Stop; everyone sees how it is going. */
  draw(mayStop: (run: Current) => boolean): void {
    const active = this.active();
    this.stopButton.hidden = !active || !mayStop(active);
    this.status.textContent = active ? queueText(active.status, active.ahead, Date.now() - active.runningSince) : "";
  }

  start(f: Frame, heading: string): void {
    const by = typeof f.by === "number" ? f.by : null;
    this.current = { id: String(f.run), mode: String(f.mode), by, status: "queued", ahead: 0, runningSince: Date.now() };
    this.heading.textContent = heading;
    this.chunks.reset();
    this.output.replaceChildren();
    this.result.textContent = "";
    this.result.className = "run-result";
    this.extra.replaceChildren();
  }

  queue(f: Frame): void {
    if (!this.current || !this.shows(f.run)) return;
    const status = f.status === "running" ? "running" : "queued";
    if (status === "running" && this.current.status !== "running") this.current.runningSince = Date.now();
    this.current.status = status;
    this.current.ahead = typeof f.ahead === "number" ? f.ahead : 0;
  }

  print(f: Frame): void {
    if (!this.shows(f.run) || !this.chunks.take(f.seq)) return;
    this.append(f.stream === "stderr" ? "stderr" : "stdout", String(f.data));
  }

  /** What the run printed so far, from the room's state (joined or back mid-run): the chunks
   * not printed here yet. */
  catchUp(output: unknown): void {
    for (const [stream, data] of this.chunks.missing(output)) {
      this.append(stream === "stderr" ? "stderr" : "stdout", String(data));
    }
  }

  private append(stream: "stdout" | "stderr", data: string): void {
    const last = this.output.lastElementChild;
    if (last && last.className === stream) last.append(data);
    else this.output.append(h("span", { class: stream }, data));
    this.output.scrollTop = this.output.scrollHeight;
  }

  finish(f: Frame): void {
    if (!this.current || !this.shows(f.run)) return;
    this.current.status = "done";
    const outcome = f as unknown as RunOutcome;
    this.result.textContent = outcomeText(outcome);
    this.result.className = `run-result ${succeeded(outcome) ? "ok" : "bad"}`;
    const parts: HTMLElement[] = [];
    if (outcome.tests?.results?.length) parts.push(h("section", { class: "run-tests-pane", "aria-label": "Tests" }, testsList(outcome.tests.results)));
    if (outcome.table) parts.push(tableView(outcome.table));
    this.extra.replaceChildren(...parts);
  }
}
