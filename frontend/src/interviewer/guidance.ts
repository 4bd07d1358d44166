// Interviewer-only help for the question on display: guidance, rubric, hints, follow-ups,
// red flags, solution and hidden tests. Only ever fed from interviewer frames.
import { h } from "../dom";
import { renderMarkdown } from "../markdown";
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

export function renderGuidance(container: HTMLElement, q: Question | null): void {
  if (!q) {
    container.replaceChildren();
    return;
  }
  const guidance = h("div", { class: "prose" });
  guidance.innerHTML = renderMarkdown(q.guidance ?? "");
  const solution = h("pre", { class: "solution" }, h("code", {}, q.solution ?? ""));
  const parts = [
    h("p", { class: "private-note" }, "Only interviewers see this."),
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
