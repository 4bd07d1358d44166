// Shapes of the control channel's frames (contract.md), as the page reads them.
import type { TimerState } from "./timer";

export type Role = "interviewer" | "candidate" | "observer";

export interface Question {
  id: number;
  title: string;
  prompt: string;
  category: string | { slug?: string; name?: string };
  difficulty: string;
  language: string;
  text: string;
  expected_minutes?: number;
  /** The plan's time box for this question, in minutes. */
  minutes?: number | null;
  visible_tests?: unknown[];
  /** A multi-step exercise's step the room is on (1: the prompt itself). */
  step?: number;
  /** Candidates and observers: steps 2 up to `step`, as they may see them. */
  revealed_steps?: { title?: string; prompt?: string; visible_tests?: unknown[] }[];
  // Interviewer-only keys; absent for candidates and observers.
  guidance?: string;
  rubric?: unknown[];
  hints?: unknown[];
  solution?: string;
  follow_ups?: unknown[];
  red_flags?: unknown[];
  hidden_tests?: unknown[];
  steps?: { title?: string; prompt?: string; solution?: string; visible_tests?: unknown[]; hidden_tests?: unknown[] }[];
}

export interface Participant {
  seat?: number;
  id?: number;
  role: Role;
  name: string;
  online?: boolean;
  focus?: boolean;
  focused?: boolean;
  /** Open connections of this seat (tabs); more than one is noted. */
  tabs?: number;
}

export interface ChatMessage {
  id?: number;
  seat?: number;
  name?: string;
  role?: Role;
  text: string;
  at?: string | number;
  /** An observer's message: it went to the interviewers (and observers) only. */
  to?: "interviewers";
}

/** One question of the plan (interviewers only); `id` is the bank question's id. */
export interface PlanItem {
  id: number;
  slug?: string;
  title: string;
  category: Question["category"];
  difficulty: string;
  position?: number;
  minutes?: number | null;
  shown?: boolean;
  current?: boolean;
  /** The question's rubric (a list of levels or criteria), for scoring it. */
  rubric?: unknown[];
  /** Written in the room and not yet saved to the bank. */
  pad?: boolean;
}

export interface ScoreRow {
  question?: number | null;
  rating?: number | null;
  recommendation?: string | null;
  comment?: string;
}

export interface RoomState {
  type: "room.state";
  you: { seat?: number; id?: number; role: Role; name: string };
  room: { id: string; title: string; status: string; kind?: string };
  participants: Participant[];
  question: Question | null;
  timer: TimerState | null;
  chat: ChatMessage[];
  server_time: number;
  plan?: PlanItem[];
  notes?: string;
  scores?: ScoreRow[];
}

export function seatId(p: { seat?: number; id?: number }): number | undefined {
  return p.seat ?? p.id;
}

export function categoryName(c: Question["category"]): string {
  return typeof c === "string" ? c : (c?.name ?? c?.slug ?? "");
}
