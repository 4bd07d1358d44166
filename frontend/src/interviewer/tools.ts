// Interviewer screen extras: tabs beside the question, timer controls, ending the room.
// In a pair-practice room both peers get the timer and the plan, nothing private.
import { h, byId } from "../dom";
import type { ControlClient } from "../protocol";
import type { TimerBox } from "../timerbox";
import type { PlanItem, Question, RoomState } from "../types";
import { renderEndedSummary, type EndedSummary } from "./ended";
import { renderGuidance } from "./guidance";
import { NotesPanel } from "./notes";
import { PlanPanel } from "./plan";

interface Context {
  control: ControlClient;
  config: { room: string; kind: string };
  timer: TimerBox;
  getQuestion: () => Question | null;
  isInterviewer: boolean;
}

export function mountInterviewerTools(ctx: Context): void {
  const { control } = ctx;
  mountTimerControls(ctx);
  if (ctx.config.kind === "pair") mountSwap(control);
  if (ctx.isInterviewer) mountEnd(control);
  // Once the room has ended nothing steers it any more: the controls go.
  const closeControls = () => {
    byId("timer-controls").hidden = true;
    byId("room-actions").replaceChildren();
  };
  const watchEnd = (f: Record<string, unknown>) => {
    const state = f as unknown as RoomState & { summary?: EndedSummary };
    if (state.room?.status !== "ended") return;
    closeControls();
    if (state.summary) renderEndedSummary(byId("ended-summary"), state.summary);
  };
  control.on("room.ended", closeControls);
  control.on("room.state", watchEnd);
  const before = control.lastFrame("room.state");
  if (before) watchEnd(before);
  // The other half of a practice pair steers the timer; the plan and notes are the interviewer's.
  if (!ctx.isInterviewer) return;
  const tabs = byId("side-tabs");
  const panels = {
    question: byId("tab-question"),
    plan: h("div", { id: "tab-plan", class: "tab-panel", role: "tabpanel", hidden: true }),
    notes: h("div", { id: "tab-notes", class: "tab-panel", role: "tabpanel", hidden: true }),
  };
  const guidance = h("div", { id: "guidance", class: "guidance" });
  panels.question.append(guidance);
  byId("side-body").append(panels.plan, panels.notes);
  const names: [keyof typeof panels, string][] = [
    ["question", "Question"],
    ["plan", "Plan"],
    ["notes", "Notes & scores"],
  ];
  const buttons = names.map(([key, label]) =>
    h("button", { type: "button", role: "tab", id: `tab-btn-${key}`, "aria-controls": panels[key].id, class: "tab", onclick: () => select(key) }, label),
  );
  tabs.replaceChildren(...buttons);
  tabs.hidden = false;
  tabs.addEventListener("keydown", (ev) => {
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0 || (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft")) return;
    const next = buttons[(i + (ev.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
    next.focus();
    next.click();
  });
  function select(key: keyof typeof panels): void {
    names.forEach(([k], i) => {
      panels[k].hidden = k !== key;
      buttons[i].setAttribute("aria-selected", String(k === key));
      buttons[i].tabIndex = k === key ? 0 : -1;
    });
  }
  select("question");

  const plan = new PlanPanel(panels.plan, control, ctx.config.room);
  const notes = new NotesPanel(panels.notes, control);
  let planItems: PlanItem[] = [];
  const setPlan = (items: unknown) => {
    if (!Array.isArray(items)) return;
    planItems = items as PlanItem[];
    plan.setPlan(planItems);
    notes.setPlan(planItems);
  };
  const moveTo = (question: number) => (step: number) => control.send({ type: "question.step", question, step });
  const onQuestion = (q: Question | null) => {
    plan.setShown(q);
    renderGuidance(guidance, q, q ? moveTo(q.id) : undefined);
  };

  const onState = (f: Record<string, unknown>) => {
    const state = f as unknown as RoomState;
    setPlan(state.plan ?? []);
    onQuestion(state.question);
    notes.setNotes(state.notes);
    notes.setScores(state.scores);
  };
  control.on("room.state", onState);
  // This chunk loads while the page connects: the room's state may have come already.
  const arrived = control.lastFrame("room.state");
  if (arrived) onState(arrived);
  control.on("question.shown", (f) => {
    if (f.plan) setPlan(f.plan);
    onQuestion((f.question as Question) ?? null);
  });
  control.on("question.step", (f) => onQuestion((f.question as Question) ?? null));
  control.on("plan", (f) => setPlan(f.plan));
  onQuestion(ctx.getQuestion());
}

function mountEnd(control: ControlClient): void {
  const end = () => {
    if (confirm("End the interview for everyone? Candidate and observer links stop working.")) control.send({ type: "room.end" });
  };
  byId("room-actions").append(h("button", { type: "button", class: "btn small danger", onclick: end }, "End interview"));
}

function mountSwap(control: ControlClient): void {
  byId("room-actions").append(
    h("button", { type: "button", class: "btn", onclick: () => control.send({ type: "roles.swap" }), title: "Trade places: the interviewer becomes the candidate" }, "Swap roles"),
  );
}

function mountTimerControls(ctx: Context): void {
  const { control, timer } = ctx;
  // Any length from 6 seconds (0.1 min) to 6 hours; anything else is said, never ignored.
  const minutes = h("input", { id: "timer-minutes", type: "number", min: 0.1, max: 360, step: "any", value: 30, "aria-label": "Minutes" });
  const startBox = h(
    "form",
    { class: "timer-start", novalidate: true },
    minutes,
    h("span", { class: "muted", "aria-hidden": "true" }, "min"),
    h("button", { type: "submit", class: "btn small primary" }, "Start"),
  );
  startBox.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const m = Number(minutes.value);
    const valid = minutes.value.trim() !== "" && Number.isFinite(m) && m >= 0.1 && m <= 360;
    minutes.setAttribute("aria-invalid", String(!valid));
    if (!valid) return showTimerError("Minutes: a number from 0.1 to 360");
    showTimerError("");
    control.send({ type: "timer.start", duration_s: Math.round(m * 60) });
  });
  const pause = h("button", { type: "button", class: "btn small", onclick: () => control.send({ type: "timer.pause" }) }, "Pause");
  const resume = h("button", { type: "button", class: "btn small primary", onclick: () => control.send({ type: "timer.resume" }) }, "Resume");
  const add = h("button", { type: "button", class: "btn small", onclick: () => control.send({ type: "timer.add", seconds: 300 }), title: "Add five minutes" }, "+5 min");
  const reset = h("button", { type: "button", class: "btn small", onclick: () => control.send({ type: "timer.reset" }) }, "Reset");
  const error = h("span", { class: "timer-error", role: "alert" });
  const showTimerError = (text: string) => (error.textContent = text);
  minutes.addEventListener("input", () => showTimerError(""));
  const box = byId("timer-controls");
  box.replaceChildren(startBox, pause, resume, add, reset, error);
  box.hidden = false;

  const draw = () => {
    const status = timer.current?.status ?? "idle";
    startBox.hidden = status === "running" || status === "paused";
    pause.hidden = status !== "running";
    resume.hidden = status !== "paused";
    add.hidden = status === "idle";
    reset.hidden = status === "idle";
    const q = ctx.getQuestion();
    const boxed = q?.minutes ?? q?.expected_minutes;
    if (status === "idle" && boxed && document.activeElement !== minutes) minutes.value = String(boxed);
  };
  control.on("*", draw);
  draw();
}

