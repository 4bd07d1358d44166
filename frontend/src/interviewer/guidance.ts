// Interviewer-only help for the question on display: guidance, rubric, hints, follow-ups,
// red flags, solution and hidden tests. Only ever fed from interviewer frames.
import { h } from "../dom";
import { renderMarkdown } from "../markdown";
import { stepRows } from "../steps";
import { renderTestCases } from "../testcases";
import type { Question } from "../types";

function asText(item: unknown): string {
  if (typeof item === "string") return item;
  if (item && typeof item === "object") {
    const o = item as Record<string, unknown>;
    // A rubric level of the bank: {score, label, description}.
    if (o.score !== undefined && o.label !== undefined && o.description !== undefined) return `${o.score} · ${o.label}: ${o.description}`;
    const head = o.level ?? o.score ?? o.title ?? o.name ?? o.label;
    const body = o.description ?? o.text ?? o.criteria ?? o.signal;
    if (head !== undefined && body !== undefined) return `${head}: ${body}`;
  }
  return JSON.stringify(item);
}

function list(title: string, items: unknown[] | undefined, open = false): HTMLElement | null {
  if (!items || items.length === 0) return null;
  return h("details", { class: "guide", open }, h("summary", {}, title), h("ul", {}, ...items.map((i) => h("li", {}, asText(i)))));
}

const STATE_LABEL = { done: "revealed", current: "current step", next: "", later: "" };

/** A multi-step exercise's steps: the current one marked, a button to reveal the next one,
 * and each revealed step can be gone back to. */
function stepsBox(q: Question, moveTo?: (step: number) => void): HTMLElement | null {
  const rows = stepRows(q);
  if (rows.length === 0) return null;
  const items = rows.map((row) => {
    const label = STATE_LABEL[row.state];
    const button =
      !moveTo || row.state === "current" || row.state === "later"
        ? null
        : row.state === "next"
          ? h("button", { type: "button", class: "btn small primary", onclick: () => moveTo(row.n) }, `Reveal step ${row.n}`)
          : h("button", { type: "button", class: "btn small", onclick: () => moveTo(row.n), title: "Hide the steps after this one again" }, "Go back");
    return h(
      "li",
      { class: `step-row step-${row.state}`, "data-step": String(row.n), "aria-current": row.state === "current" ? "step" : undefined },
      h("span", {}, `${row.n}. ${row.title}`),
      label ? h("span", { class: "chip" }, label) : null,
      button,
    );
  });
  return h("details", { class: "guide steps-box", open: true }, h("summary", {}, `Steps (${rows.length})`), h("ol", { class: "step-list" }, ...items));
}

export function renderGuidance(container: HTMLElement, q: Question | null, moveTo?: (step: number) => void): void {
  if (!q) {
    container.replaceChildren();
    return;
  }
  const guidance = h("div", { class: "prose" });
  guidance.innerHTML = renderMarkdown(q.guidance ?? "");
  const solution = h("pre", { class: "solution" }, h("code", {}, q.solution ?? ""));
  const parts = [
    h("p", { class: "private-note" }, "Only interviewers see this."),
    stepsBox(q, moveTo),
    q.guidance ? h("details", { class: "guide", open: true }, h("summary", {}, "Guidance"), guidance) : null,
    list("Rubric", q.rubric, true),
    list("Hints", q.hints),
    list("Follow-ups", q.follow_ups),
    list("Red flags", q.red_flags),
    q.solution ? h("details", { class: "guide" }, h("summary", {}, "Solution"), solution) : null,
    q.hidden_tests?.length ? h("details", { class: "guide" }, h("summary", {}, `Hidden tests (${q.hidden_tests.length})`), renderTestCases(q.hidden_tests)) : null,
  ];
  container.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}
