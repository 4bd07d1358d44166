// Shapes of the review API's answers (interviewers only), as the page reads them.

export interface LogSeat {
  id: number;
  role: string;
  name: string;
}

export interface LogUpdate {
  id: number;
  /** ms since the epoch */
  at: number;
  seat: number | null;
  /** base64 Yjs update */
  data: string;
}

export interface LogCheckpoint {
  upto: number;
  at: number | string;
  data: string;
}

/** One question's code: the Y.Text named `text` in the room's document. */
export interface LogText {
  question: number;
  title: string;
  text: string;
  language: string;
}

export interface UpdateLog {
  started_at: string | number | null;
  ended_at: string | number | null;
  updates: LogUpdate[];
  checkpoints: LogCheckpoint[];
  seats: LogSeat[];
  texts: LogText[];
}

export interface TranscriptEvent {
  seq: number;
  at: string | number;
  actor: number | { id?: number; seat?: number; name?: string } | null;
  type: string;
  data: Record<string, unknown>;
}

export interface Transcript {
  room: Record<string, unknown>;
  participants: unknown[];
  events: TranscriptEvent[];
  questions: { id: number; title: string; text?: string; code?: string }[];
  notes: unknown;
  scores: unknown;
}
