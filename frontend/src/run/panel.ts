// The room's Run bar and consoles: Run (Ctrl/Cmd+Enter), Run tests, Run hidden tests
// (interviewers), Explain (SQL), the queue state with Stop, the output as it streams in, then
// the result, the tests and the query's table. Everyone in the room sees the room's console;
// the server sends a hidden run's frames to interviewers only, and interviewers see them in a
// console of their own, so a hidden run and the room's run can both be under way.
import "../styles/run.css";
import { h } from "../dom";
import type { ControlClient, Frame } from "../protocol";
import { seatId, type Participant, type Question, type Role } from "../types";
import { RunConsole, type Current } from "./console";
import { MODE_LABEL } from "./result";

export interface RunPanelOptions {
  control: ControlClient;
  host: HTMLElement;
  role: Role;
  seat: number;
  getQuestion: () => Question | null;
}

const RUNNABLE = new Set(["python", "sql"]);

export function mountRunPanel(options: RunPanelOptions): RunPanel {
  return new RunPanel(options);
}

export class RunPanel {
  private readonly buttons: Record<string, HTMLButtonElement>;
  private readonly off: HTMLElement;
  private readonly room: RunConsole; // the room's runs: everyone sees them
  private readonly hidden: RunConsole | null; // the hidden tests' (interviewers only)
  private readonly names = new Map<number, string>();
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
    this.off = h("span", { id: "run-off", class: "run-off", hidden: true });
    const stop = (run: string) => this.o.control.send({ type: "run.stop", run });
    this.room = new RunConsole("run", "Console", stop);
    this.hidden = o.role === "interviewer" ? new RunConsole("hidden-run", "Hidden tests", stop) : null;
    if (this.hidden) {
      // Shown from the first hidden run on; its stop and status sit in its own head.
      this.hidden.section.hidden = true;
      this.hidden.head.append(" ", this.hidden.status, " ", this.hidden.stopButton);
    }
    const mayRun = o.role !== "observer";
    o.host.replaceChildren(
      h(
        "div",
        { class: "run-bar" },
        ...(mayRun ? [this.buttons.run, this.buttons.tests, this.buttons.explain] : []),
        o.role === "interviewer" ? this.buttons.hidden : null,
        this.room.status,
        this.room.stopButton,
        this.off,
      ),
      this.room.section,
      ...(this.hidden ? [this.hidden.section] : []),
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

  private allowed(mode: string): boolean {
    const q = this.o.getQuestion();
    if (this.o.role === "observer" || this.ended || !q || !RUNNABLE.has(q.language) || this.offWhy(q)) return false;
    if (this.consoleFor(mode)?.active()) return false;
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
    const mayStop = (run: Current) => this.o.role === "interviewer" || run.by === this.o.seat;
    this.room.draw(mayStop);
    this.hidden?.draw(mayStop);
    document.body.dataset.run = this.room.current?.status ?? "";
    if (this.ticker && !this.room.active() && !this.hidden?.active()) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  /** The console a run of this mode shows in (Explain is a Run). */
  private consoleFor(mode: string): RunConsole | null {
    return mode === "hidden" ? this.hidden : this.room;
  }

  private consoleOf(run: unknown): RunConsole | null {
    return [this.room, this.hidden].find((c) => c?.shows(run)) ?? null;
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
    for (const [key, shown] of [["run", this.room], ["hidden_run", this.hidden]] as const) {
      if (!shown) continue;
      const run = f[key] as Frame | null | undefined;
      if (run) {
        if (!shown.shows(run.run)) this.onStarted(run);
        this.onQueue(run);
        shown.catchUp(run.output);
      } else {
        const ended = shown.active(); // it ended while this page was away
        if (ended) ended.status = "done";
      }
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
    const shown = this.consoleFor(String(f.mode));
    if (!shown) return;
    const by = typeof f.by === "number" ? f.by : null;
    const hidden = f.mode === "hidden" ? " (interviewers only)" : "";
    shown.start(f, `${MODE_LABEL[String(f.mode)] ?? "Run"} by ${this.who(by)}${hidden}`);
    shown.section.hidden = false;
    if (shown === this.room) document.body.dataset.runMode = String(f.mode);
    this.draw();
  }

  private onQueue(f: Frame): void {
    const shown = this.consoleOf(f.run);
    if (!shown) return;
    shown.queue(f);
    if (!this.ticker) this.ticker = setInterval(() => this.draw(), 100);
    this.draw();
  }

  private onOutput(f: Frame): void {
    this.consoleOf(f.run)?.print(f);
  }

  private onFinished(f: Frame): void {
    const shown = this.consoleOf(f.run);
    if (!shown) return;
    shown.finish(f);
    this.draw();
  }
}
