// The interviewer's view of an ended room: how long it ran, what was asked, the signals.
import { h } from "../dom";

export interface EndedSummary {
  duration_ms: number | null;
  questions: string[];
  signals: { pastes: number; focus_lost: number };
  chat: number;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function durationText(ms: number | null): string {
  if (ms === null) return "never started";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return plural(minutes, "minute");
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function renderEndedSummary(el: HTMLElement, summary: EndedSummary): void {
  const asked = summary.questions.length ? summary.questions.join(", ") : "none shown";
  const { pastes, focus_lost } = summary.signals;
  const signals = pastes || focus_lost ? `${plural(pastes, "large paste")}, ${plural(focus_lost, "time", "times")} away from the tab` : "none";
  const row = (term: string, value: string) => h("div", {}, h("dt", {}, term), h("dd", {}, value));
  el.replaceChildren(
    h(
      "dl",
      {},
      row("Duration", durationText(summary.duration_ms)),
      row(summary.questions.length === 1 ? "Question" : "Questions", asked),
      row("Signals", signals),
      row("Chat", plural(summary.chat, "message")),
    ),
  );
}
