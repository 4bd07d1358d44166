// The transcript's events as the review page shows them: a kind (for colour and filtering),
// a sentence, and whether it is an integrity signal (a paste, leaving the tab).
import { runSentence, type RunEventData } from "../run/record";
import { formatClock, toMs } from "./time";
import type { TranscriptEvent } from "./types";

export type EventKind = "question" | "timer" | "chat" | "presence" | "signal" | "room" | "score" | "run" | "other";

export interface ReviewEvent {
  seq: number;
  at: number;
  type: string;
  kind: EventKind;
  seat: number | null;
  /** The role the actor had at that moment (a pair room's swap changes it later). */
  role: string;
  text: string;
  signal: boolean;
  data?: Record<string, unknown>;
}

const KINDS: Record<string, EventKind> = {
  "question.shown": "question",
  "plan.added": "question",
  chat: "chat",
  join: "presence",
  leave: "presence",
  "seat.named": "presence",
  "seat.revoked": "presence",
  paste: "signal",
  focus: "signal",
  "room.created": "room",
  "room.started": "room",
  "room.ended": "room",
  "roles.swapped": "room",
  "score.saved": "score",
  "notes.saved": "score",
  run: "run",
};

export function kindOf(type: string): EventKind {
  return type.startsWith("timer.") ? "timer" : (KINDS[type] ?? "other");
}

function actorId(event: TranscriptEvent): number | null {
  const data = event.data ?? {};
  if (typeof data.seat === "number") return data.seat;
  const actor = event.actor;
  if (typeof actor === "number") return actor;
  if (actor && typeof actor === "object") return actor.id ?? actor.seat ?? null;
  return null;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** A timer's length as people say it: "4 s", "90 s", "15 min". */
export function lengthText(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

function sentence(event: TranscriptEvent, who: string, awayMs: number | null, role = ""): string {
  const d = event.data ?? {};
  switch (event.type) {
    case "room.created":
      return "Room created";
    case "room.started":
      return `Interview started (${who} arrived)`;
    case "room.ended":
      return `${who} ended the interview`;
    case "join":
      return `${who} joined`;
    case "leave": {
      if (d.reason !== "lost") return `${who} left`;
      const heard = toMs(str(d.last_seen));
      const at = toMs(event.at);
      const before = heard !== null && at !== null ? ` (last heard ${Math.max(0, Math.round((at - heard) / 1000))} s before)` : "";
      return `${who}'s connection was lost${before}`;
    }
    case "seat.named":
      // `who` is today's name: the event says who had which role then, not "Ada is now called Ada".
      return `The ${role || "participant"} is now called ${str(d.name)}`;
    case "seat.revoked":
      return `${who} revoked a ${str(d.role)} link`;
    case "roles.swapped":
      return `${who} swapped roles`;
    case "plan.added":
      return `${who} added “${str(d.title)}” to the plan`;
    case "question.shown":
      return `${who} showed “${str(d.title)}”`;
    case "chat":
      return `${who}: ${str(d.text)}`;
    case "paste": {
      const chars = num(d.chars);
      return `${who} pasted ${chars ?? "some"} characters`;
    }
    case "focus":
      if (d.focused === false) return `${who} left the tab${awayMs !== null ? ` for ${formatClock(awayMs)}` : ""}`;
      return `${who} came back to the tab`;
    case "notes.saved":
      return `${who} saved notes`;
    case "score.saved":
      return `${who} saved a score`;
    case "timer.start": {
      const ms = num(d.duration_ms);
      return `${who} started the timer${ms ? ` (${lengthText(ms)})` : ""}`;
    }
    case "timer.pause":
      return `${who} paused the timer`;
    case "timer.resume":
      return `${who} resumed the timer`;
    case "timer.reset":
      return `${who} reset the timer`;
    case "timer.add": {
      const s = num(d.seconds);
      return `${who} ${s !== null && s < 0 ? "took" : "added"} ${s !== null ? formatClock(Math.abs(s) * 1000) : "time"} ${s !== null && s < 0 ? "off" : "to"} the timer`;
    }
    case "timer.expired":
      return "Time ran out";
    case "run":
      return runSentence(who, d as RunEventData);
    default:
      return `${who}: ${event.type}`;
  }
}

const SWAPPED: Record<string, string> = { interviewer: "candidate", candidate: "interviewer" };

/** Each event's actor's role at that moment: today's roles, rewound through the role swaps
 * (a `roles.swapped` event holds the roles it gave). */
export function rolesAtEvents(sorted: TranscriptEvent[], seats: (number | null)[], roleNow: (seat: number) => string | undefined): string[] {
  const roles = new Map<number, string>();
  const roleOf = (seat: number) => roles.get(seat) ?? roleNow(seat) ?? "";
  // Rewind to the start: before each swap, its seats held the other role.
  for (const event of [...sorted].reverse()) {
    if (event.type !== "roles.swapped") continue;
    for (const [seat, given] of Object.entries((event.data?.roles ?? {}) as Record<string, string>)) roles.set(Number(seat), SWAPPED[given] ?? given);
  }
  return sorted.map((event, i) => {
    const seat = seats[i];
    const role = seat === null ? "" : roleOf(seat);
    if (event.type === "roles.swapped") {
      for (const [swapped, given] of Object.entries((event.data?.roles ?? {}) as Record<string, string>)) roles.set(Number(swapped), given);
    }
    return role;
  });
}

/** The events in order, described, with each tab-leave paired with its return. People are
 * named by the role they had at that moment (`nameOf` gets it for seats without a name). */
export function describeEvents(
  events: TranscriptEvent[],
  nameOf: (seat: number | null, role: string) => string,
  roleNow: (seat: number) => string | undefined = () => undefined,
): ReviewEvent[] {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const times = sorted.map((e) => toMs(e.at) ?? 0);
  const seats = sorted.map(actorId);
  const roles = rolesAtEvents(sorted, seats, roleNow);
  return sorted.map((event, i) => {
    const seat = seats[i];
    let awayMs: number | null = null;
    if (event.type === "focus" && event.data?.focused === false) {
      const back = sorted.findIndex((e, j) => j > i && e.type === "focus" && actorId(e) === seat && e.data?.focused !== false);
      if (back >= 0) awayMs = times[back] - times[i];
    }
    // Integrity signals are about the person being interviewed then, not the interviewers.
    const suspicious = event.type === "paste" || (event.type === "focus" && event.data?.focused === false);
    const signal = suspicious && roles[i] !== "interviewer";
    const text = sentence(event, nameOf(seat, roles[i]), awayMs, roles[i]);
    return { seq: event.seq, at: times[i], type: event.type, kind: kindOf(event.type), seat, role: roles[i], text, signal, data: event.data };
  });
}

/** The question on display at instant `t`: the last `question.shown` at or before it. */
export function shownQuestionAt(events: TranscriptEvent[], t: number): number | null {
  let shown: number | null = null;
  let shownAt = -Infinity;
  for (const event of events) {
    if (event.type !== "question.shown") continue;
    const at = toMs(event.at) ?? 0;
    const question = num(event.data?.question);
    if (at <= t && at >= shownAt && question !== null) {
      shown = question;
      shownAt = at;
    }
  }
  return shown;
}
