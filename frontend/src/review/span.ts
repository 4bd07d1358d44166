// The stretch of time the review covers.
import type { ReviewEvent } from "./events";

/**
 * From when the room started (else its first sign of life after being created) to when it
 * ended (else its last edit or event so far); never shorter than a second. Edits after the
 * end (none are expected) still fit in.
 */
export function recordingSpan(
  startedAt: number | null,
  endedAt: number | null,
  edits: readonly number[],
  events: readonly Pick<ReviewEvent, "at" | "type">[],
  now: number = Date.now(),
): { start: number; end: number } {
  const lively = events.filter((e) => e.type !== "room.created").map((e) => e.at);
  const first = Math.min(edits[0] ?? Infinity, ...lively);
  const start = startedAt ?? (Number.isFinite(first) ? first : (events[0]?.at ?? now));
  const lastEdit = edits[edits.length - 1] ?? start;
  const end = Math.max(start + 1000, endedAt ?? Math.max(start, ...events.map((e) => e.at)), lastEdit);
  return { start, end };
}
