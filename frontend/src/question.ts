// The question on display: title, labels and prompt (what every seat may see).
import { h } from "./dom";
import { renderMarkdown } from "./markdown";
import { revealedSteps } from "./steps";
import { renderTestCases } from "./testcases";
import { categoryName, type Question } from "./types";

export function renderQuestion(container: HTMLElement, question: Question | null, role: string): void {
  if (!question) {
    const waiting =
      role === "interviewer"
        ? "No question on display yet. Pick one from the plan to show it to everyone."
        : "Waiting for the interviewer to show the first question.";
    container.replaceChildren(h("div", { class: "empty" }, h("p", {}, waiting)));
    return;
  }
  const prompt = h("div", { class: "prompt prose" });
  prompt.innerHTML = renderMarkdown(question.prompt);
  // A "Python" question in Python says so once.
  const category = categoryName(question.category);
  const language = question.language && question.language !== "text" && question.language.toLowerCase() !== category.toLowerCase() ? question.language : "";
  const labels = h(
    "p",
    { class: "labels" },
    h("span", { class: `chip difficulty-${question.difficulty}` }, question.difficulty),
    category ? h("span", { class: "chip" }, category) : null,
    language ? h("span", { class: "chip" }, language) : null,
  );
  const tests = visibleTests(question.visible_tests);
  container.replaceChildren(h("h2", { class: "question-title", id: "question-title" }, question.title), labels, prompt);
  if (tests) container.append(tests);
  // A multi-step exercise: the requirements revealed since, in order, under the first.
  for (const step of revealedSteps(question)) {
    const body = h("div", { class: "prose" });
    body.innerHTML = renderMarkdown(step.prompt);
    const examples = visibleTests(step.visible_tests);
    container.append(
      h("section", { class: "step", "data-step": String(step.n) }, h("h3", { class: "step-title" }, `Step ${step.n}: ${step.title}`), body, examples),
    );
  }
}

function visibleTests(tests: unknown[] | undefined): HTMLElement | null {
  if (!tests || tests.length === 0) return null;
  return h("details", { class: "tests-box" }, h("summary", {}, `Examples (${tests.length})`), renderTestCases(tests));
}
