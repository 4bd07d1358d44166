// A run as the review's timeline shows it: what it printed then, its tests, its table.
import "../styles/run.css";
import { h } from "../dom";
import { outcomeText, succeeded, type RunOutcome } from "./result";
import { outputView, tableView, testsList } from "./views";

export interface RunEventData extends RunOutcome {
  title?: string;
  mode?: string;
  step?: number | null; // a multi-step exercise's step shown when it ran
  stdout?: string;
  stderr?: string;
}

const VERBS: Record<string, string> = { run: "ran", tests: "ran the tests of", hidden: "ran the hidden tests of" };

export function runSentence(who: string, d: RunEventData): string {
  const step = d.step ? ` (step ${d.step})` : "";
  return `${who} ${VERBS[d.mode ?? ""] ?? "ran"} “${d.title ?? ""}”${step}: ${outcomeText(d)}`;
}

/** The output as it was, folded under the timeline line. */
export function runDetails(d: RunEventData): HTMLElement {
  return h(
    "details",
    { class: `run-record ${succeeded(d) ? "ok" : "bad"}` },
    h("summary", {}, "Output"),
    d.tests?.results?.length ? testsList(d.tests.results) : null,
    d.table ? tableView(d.table) : null,
    d.stdout || d.stderr ? outputView(d.stdout ?? "", d.stderr ?? "") : h("p", { class: "muted" }, "Nothing printed."),
  );
}
