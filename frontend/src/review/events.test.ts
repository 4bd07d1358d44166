import { describe, expect, it } from "vitest";
import { describeEvents, kindOf, shownQuestionAt } from "./events";
import type { TranscriptEvent } from "./types";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();
const events: TranscriptEvent[] = [
  { seq: 1, at: at(0), actor: 1, type: "question.shown", data: { question: 7, title: "Two sum" } },
  { seq: 2, at: at(5), actor: 2, type: "focus", data: { seat: 2, focused: false } },
  { seq: 3, at: at(47), actor: 2, type: "focus", data: { seat: 2, focused: true } },
  { seq: 4, at: at(50), actor: 2, type: "paste", data: { seat: 2, chars: 600 } },
  { seq: 5, at: at(60), actor: 1, type: "question.shown", data: { question: 9, title: "LRU" } },
  { seq: 6, at: at(61), actor: { id: 1 }, type: "timer.start", data: { duration_ms: 900000 } },
];
const names = (seat: number | null) => ({ 1: "Alice", 2: "Ada" })[seat ?? 0] ?? "The server";

describe("describeEvents", () => {
  const described = describeEvents(events, names);

  it("flags pastes and leaving the tab as integrity signals, and nothing else", () => {
    expect(described.filter((e) => e.signal).map((e) => e.seq)).toEqual([2, 4]);
  });

  it("says who did what, with how long someone was away", () => {
    expect(described.map((e) => e.text)).toEqual([
      "Alice showed “Two sum”",
      "Ada left the tab for 0:42",
      "Ada came back to the tab",
      "Ada pasted 600 characters",
      "Alice showed “LRU”",
      "Alice started the timer (15 min)",
    ]);
  });

  it("puts times in ms and kinds for the timeline's colours", () => {
    expect(described[3].at).toBe(Date.UTC(2026, 0, 1, 10, 0, 50));
    expect(described.map((e) => e.kind)).toEqual(["question", "signal", "signal", "signal", "question", "timer"]);
    expect(kindOf("timer.expired")).toBe("timer");
  });
});

describe("a lost connection", () => {
  it("says when the server last heard from it, and the return that followed", () => {
    const lost: TranscriptEvent[] = [
      { seq: 1, at: at(3), actor: null, type: "leave", data: { seat: 2, reason: "lost", last_seen: at(1) } },
      { seq: 2, at: at(4), actor: 2, type: "join", data: { seat: 2, role: "candidate" } },
      { seq: 3, at: at(9), actor: 2, type: "leave", data: { seat: 2 } },
      { seq: 4, at: at(12), actor: null, type: "leave", data: { seat: 2, reason: "lost" } },
    ];
    expect(describeEvents(lost, names).map((e) => e.text)).toEqual([
      "Ada's connection was lost (last heard 2 s before)",
      "Ada joined",
      "Ada left",
      "Ada's connection was lost",
    ]);
  });
});

describe("integrity signals", () => {
  it("are about the people being interviewed, not the interviewers", () => {
    const own: TranscriptEvent[] = [
      { seq: 1, at: at(1), actor: 1, type: "paste", data: { seat: 1, chars: 300 } },
      { seq: 2, at: at(2), actor: 1, type: "focus", data: { seat: 1, focused: false } },
      { seq: 3, at: at(3), actor: 2, type: "paste", data: { seat: 2, chars: 300 } },
    ];
    const signals = describeEvents(own, names, (seat) => (seat === 1 ? "interviewer" : "candidate")).filter((e) => e.signal);
    expect(signals.map((e) => e.seq)).toEqual([3]);
  });

  it("go by the role at that moment: a pair room's peers swap", () => {
    const swapped: TranscriptEvent[] = [
      { seq: 1, at: at(1), actor: 2, type: "paste", data: { seat: 2, chars: 300 } },
      { seq: 2, at: at(2), actor: 1, type: "roles.swapped", data: { roles: { "1": "candidate", "2": "interviewer" } } },
      { seq: 3, at: at(3), actor: 1, type: "paste", data: { seat: 1, chars: 300 } },
    ];
    // Today seat 1 is the candidate and seat 2 the interviewer.
    const now = (seat: number) => (seat === 1 ? "candidate" : "interviewer");
    const described = describeEvents(swapped, (seat, role) => `seat ${seat} (${role})`, now);
    expect(described.map((e) => e.role)).toEqual(["candidate", "interviewer", "candidate"]);
    expect(described[0].text).toBe("seat 2 (candidate) pasted 300 characters");
    expect(described.filter((e) => e.signal).map((e) => e.seq)).toEqual([1, 3]);
  });
});

describe("small things", () => {
  it("say a short timer's length in seconds, and a name given without repeating it", () => {
    const short: TranscriptEvent[] = [
      { seq: 1, at: at(1), actor: 1, type: "timer.start", data: { duration_ms: 4000 } },
      { seq: 2, at: at(2), actor: 2, type: "seat.named", data: { seat: 2, name: "Ada" } },
    ];
    const texts = describeEvents(short, names, (seat) => (seat === 1 ? "interviewer" : "candidate")).map((e) => e.text);
    expect(texts).toEqual(["Alice started the timer (4 s)", "The candidate is now called Ada"]);
  });

  it("say which step of a multi-step exercise a run checked", () => {
    const runs: TranscriptEvent[] = [
      { seq: 1, at: at(1), actor: 1, type: "run", data: { mode: "hidden", title: "KV store", step: 2, tests: { passed: 3, failed: 1, results: [] }, duration_ms: 400 } },
      { seq: 2, at: at(2), actor: 2, type: "run", data: { mode: "run", title: "Two sum", step: null, exit_code: 0, duration_ms: 100 } },
    ];
    expect(describeEvents(runs, names).map((e) => e.text)).toEqual([
      "Alice ran the hidden tests of “KV store” (step 2): 3 passed, 1 failed · 0.4 s",
      "Ada ran “Two sum”: exit 0 · 0.1 s",
    ]);
  });
});

describe("shownQuestionAt", () => {
  it("is the last question shown at or before the instant", () => {
    expect(shownQuestionAt(events, Date.UTC(2026, 0, 1, 9, 59, 59))).toBeNull();
    expect(shownQuestionAt(events, Date.UTC(2026, 0, 1, 10, 0, 0))).toBe(7);
    expect(shownQuestionAt(events, Date.UTC(2026, 0, 1, 10, 0, 59))).toBe(7);
    expect(shownQuestionAt(events, Date.UTC(2026, 0, 1, 10, 1, 0))).toBe(9);
  });
});
