// A multi-step exercise's steps as each screen shows them. Step 1 is the question's own prompt;
// the interviewer reveals the next ones. Candidates only ever receive the revealed steps
// (`revealed_steps`); interviewers receive them all (`steps`) with the step the room is on.
import type { Question } from "./types";

export interface RevealedStep {
  n: number;
  title: string;
  prompt: string;
  visible_tests: unknown[];
}

export type StepState = "done" | "current" | "next" | "later";

export interface StepRow {
  n: number;
  title: string;
  state: StepState;
}

function current(q: Question): number {
  return typeof q.step === "number" && q.step >= 1 ? q.step : 1;
}

/** Steps 2 up to the current one, in order: what the candidate has been asked so far. */
export function revealedSteps(q: Question | null): RevealedStep[] {
  if (!q) return [];
  const source = q.steps ? q.steps.slice(0, current(q) - 1) : (q.revealed_steps ?? []);
  return source.map((s, i) => ({ n: i + 2, title: s.title ?? "", prompt: s.prompt ?? "", visible_tests: s.visible_tests ?? [] }));
}

/** Every step of the exercise for the interviewer's list (empty if it has no steps). */
export function stepRows(q: Question | null): StepRow[] {
  if (!q?.steps?.length) return [];
  const at = current(q);
  const state = (n: number): StepState => (n < at ? "done" : n === at ? "current" : n === at + 1 ? "next" : "later");
  const first = { n: 1, title: "The question's prompt", state: state(1) };
  return [first, ...q.steps.map((s, i) => ({ n: i + 2, title: s.title ?? "", state: state(i + 2) }))];
}
