// The room's Run bar and console: Run (Ctrl/Cmd+Enter), Run tests, Run hidden tests
// (interviewers), Explain (SQL), the queue state with Stop, the output as it streams in, then
// the result, the tests and the query's table. Everyone in the room sees the console; the
// server sends a hidden run's frames to interviewers only.
import "../styles/run.css";
import { h } from "../dom";
import type { ControlClient, Frame } from "../protocol";
import { seatId, type Participant, type Question, type Role } from "../types";
import { MODE_LABEL, outcomeText, queueText, succeeded, type RunOutcome } from "./result";
import { tableView, testsList } from "./views";

export interface RunPanelOptions {
  control: ControlClient;
  host: HTMLElement;
  role: Role;
  seat: number;
  getQuestion: () => Question | null;
}

interface Current {
  id: string;
  mode: string;
  by: number | null;
  status: "queued" | "running" | "done";
  ahead: number;
  runningSince: number;
  stdout: number;
}

const RUNNABLE = new Set(["python", "sql"]);

export function mountRunPanel(options: RunPanelOptions): RunPanel {
  return new RunPanel(options);
}

export class RunPanel {
  private readonly buttons: Record<string, HTMLButtonElement>;
  private readonly stopButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly off: HTMLElement;
  private readonly output: HTMLPreElement;
  private readonly heading: HTMLElement;
  private readonly result: HTMLElement;
  private readonly extra: HTMLElement;
  private readonly names = new Map<number, string>();
  private current: Current | null = null;
  private available = true;
  private why = "";
  private sql = true;
  private sqlWhy = "";
  private ended = false;
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly o: RunPanelOptions) {
    const button = (mode: string, label: string, cls: string, hint: string) =>
      h("button", { type: "button", class: `btn small ${cls}`, "data-mode": mode, title: hint, onclick: () => this.run(mode) }, label);
    this.buttons = {
      run: button("run", "Run", "primary", "Run the code (Ctrl+Enter)"),
      tests: button("tests", "Run tests", "", "Run the question's tests"),
      hidden: button("hidden", "Run hidden tests", "", "Only interviewers see these"),
      explain: button("explain", "Explain", "", "The query's plan: EXPLAIN (ANALYZE, BUFFERS)"),
    };
    this.buttons.run.id = "run-btn";
    this.buttons.tests.id = "run-tests-btn";
    this.buttons.hidden.id = "run-hidden-btn";
    this.buttons.explain.id = "run-explain-btn";
    this.stopButton = h("button", { type: "button", id: "run-stop-btn", class: "btn small danger", hidden: true, onclick: () => this.stop() }, "Stop");
    this.status = h("span", { id: "run-status", class: "run-status", role: "status", "aria-live": "polite" });
    this.off = h("span", { id: "run-off", class: "run-off", hidden: true });
    this.heading = h("span", { id: "run-heading", class: "run-heading" }, "Console");
    this.output = h("pre", { id: "run-output", class: "run-output", "aria-live": "polite", "aria-label": "Output" });
    this.result = h("p", { id: "run-result", class: "run-result" });
    this.extra = h("div", { id: "run-extra", class: "run-extra" });
    const mayRun = o.role !== "observer";
    o.host.replaceChildren(
      h(
        "div",
        { class: "run-bar" },
        ...(mayRun ? [this.buttons.run, this.buttons.tests, this.buttons.explain] : []),
        o.role === "interviewer" ? this.buttons.hidden : null,
        this.status,
        this.stopButton,
        this.off,
      ),
      h("section", { id: "run-console", class: "run-console", "aria-label": "Console" }, h("div", { class: "run-console-head" }, this.heading), this.output, this.result, this.extra),
    );
    const c = o.control;
    c.on("room.state", (f) => this.onState(f));
    c.on("question.shown", () => this.draw());
    c.on("presence", (f) => {
      const people = Array.isArray(f.participants) ? f.participants : [f.participant ?? f];
      this.learnNames(people as Participant[]);
    });
    c.on("room.ended", () => {
      this.ended = true;
      this.draw();
    });
    c.on("run.started", (f) => this.onStarted(f));
    c.on("run.state", (f) => this.onQueue(f));
    c.on("run.output", (f) => this.onOutput(f));
    c.on("run.finished", (f) => this.onFinished(f));
    document.addEventListener(
      "keydown",
      (ev) => {
        if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
        // In the chat or the notes, the keys are theirs.
        if (ev.target instanceof HTMLTextAreaElement || ev.target instanceof HTMLInputElement) return;
        ev.preventDefault();
        ev.stopPropagation();
        if (this.allowed("run")) this.run("run");
      },
      true,
    );
    this.draw();
  }

  private run(mode: string): void {
    const question = this.o.getQuestion();
    if (!question || !this.allowed(mode)) return;
    const explain = mode === "explain";
    this.o.control.send({ type: "code.run", question: question.id, mode: explain ? "run" : mode, ...(explain ? { explain: true } : {}) });
  }

  private stop(): void {
    if (this.current) this.o.control.send({ type: "run.stop", run: this.current.id });
  }

  private allowed(mode: string): boolean {
    const q = this.o.getQuestion();
    if (this.o.role === "observer" || this.ended || !q || !RUNNABLE.has(q.language) || this.offWhy(q)) return false;
    if (this.current && this.current.status !== "done") return false;
    if (mode === "tests") return (q.visible_tests?.length ?? 0) > 0;
    if (mode === "hidden") return this.o.role === "interviewer" && (q.hidden_tests?.length ?? 0) > 0;
    if (mode === "explain") return q.language === "sql";
    return true;
  }

  private draw(): void {
    const q = this.o.getQuestion();
    const runnable = !!q && RUNNABLE.has(q.language);
    for (const [mode, b] of Object.entries(this.buttons)) {
      b.disabled = !this.allowed(mode);
      b.hidden = !runnable || (mode === "explain" && q?.language !== "sql");
    }
    let note = "";
    const off = q ? this.offWhy(q) : "";
    if (off) note = `Run is off: ${off}`;
    else if (q && !runnable) note = "This question has no code to run.";
    else if (this.ended) note = "The interview has ended: nothing runs.";
    this.off.textContent = note;
    this.off.hidden = !note;
    const active = this.current && this.current.status !== "done" ? this.current : null;
    this.stopButton.hidden = !active || !(this.o.role === "interviewer" || active.by === this.o.seat);
    this.status.textContent = active ? queueText(active.status, active.ahead, Date.now() - active.runningSince) : "";
    document.body.dataset.run = active ? active.status : (this.current?.status ?? "");
  }

  /** Why this question's language cannot run here (no sandbox, no PostgreSQL), or "". */
  private offWhy(q: Question): string {
    if (q.language === "python" && !this.available) return this.why || "the sandbox is unavailable";
    if (q.language === "sql" && !this.sql) return this.sqlWhy || "SQL needs PostgreSQL";
    return "";
  }

  private onState(f: Frame): void {
    const runner = f.runner as { available?: boolean; why?: string; sql?: boolean; sql_why?: string } | undefined;
    this.available = runner?.available !== false;
    this.why = runner?.why ?? "";
    this.sql = runner?.sql !== false;
    this.sqlWhy = runner?.sql_why ?? "";
    this.ended = (f.room as { status?: string } | undefined)?.status === "ended";
    this.learnNames((f.participants as Participant[]) ?? []);
    const run = f.run as (Frame & { status: string; ahead: number }) | null | undefined;
    if (run && run.run !== this.current?.id) {
      this.onStarted(run);
      this.onQueue(run);
    } else if (!run && this.current && this.current.status !== "done") {
      this.current.status = "done"; // it ended while this page was away
    }
    this.draw();
  }

  private learnNames(people: Participant[]): void {
    for (const p of people) {
      const id = seatId(p);
      if (id !== undefined && id !== null) this.names.set(id, p.name || p.role);
    }
  }

  private who(seat: number | null): string {
    if (seat === this.o.seat) return "you";
    return (seat !== null && this.names.get(seat)) || "someone";
  }

  private onStarted(f: Frame): void {
    const id = String(f.run);
    const by = typeof f.by === "number" ? f.by : null;
    this.current = { id, mode: String(f.mode), by, status: "queued", ahead: 0, runningSince: Date.now(), stdout: 0 };
    const hidden = f.mode === "hidden" ? " (interviewers only)" : "";
    this.heading.textContent = `${MODE_LABEL[String(f.mode)] ?? "Run"} by ${this.who(by)}${hidden}`;
    this.output.replaceChildren();
    this.result.textContent = "";
    this.result.className = "run-result";
    this.extra.replaceChildren();
    document.body.dataset.runMode = String(f.mode);
    this.draw();
  }

  private onQueue(f: Frame): void {
    if (!this.current || f.run !== this.current.id) return;
    const status = f.status === "running" ? "running" : "queued";
    if (status === "running" && this.current.status !== "running") this.current.runningSince = Date.now();
    this.current.status = status;
    this.current.ahead = typeof f.ahead === "number" ? f.ahead : 0;
    if (!this.ticker) this.ticker = setInterval(() => this.draw(), 100);
    this.draw();
  }

  private onOutput(f: Frame): void {
    if (!this.current || f.run !== this.current.id) return;
    const stream = f.stream === "stderr" ? "stderr" : "stdout";
    const last = this.output.lastElementChild;
    if (last && last.className === stream) last.append(String(f.data));
    else this.output.append(h("span", { class: stream }, String(f.data)));
    this.output.scrollTop = this.output.scrollHeight;
  }

  private onFinished(f: Frame): void {
    if (!this.current || f.run !== this.current.id) return;
    this.current.status = "done";
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    const outcome = f as unknown as RunOutcome;
    this.result.textContent = outcomeText(outcome);
    this.result.className = `run-result ${succeeded(outcome) ? "ok" : "bad"}`;
    const parts: HTMLElement[] = [];
    if (outcome.tests?.results?.length) parts.push(h("section", { class: "run-tests-pane", "aria-label": "Tests" }, testsList(outcome.tests.results)));
    if (outcome.table) parts.push(tableView(outcome.table));
    this.extra.replaceChildren(...parts);
    this.draw();
  }
}
