// Instants arrive as ms since the epoch or as ISO strings; the page works in ms.

export function toMs(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** A duration as m:ss, or h:mm:ss from an hour on (negative durations clamp to 0:00). */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** Index of the first element of a sorted array greater than `value` (= count of those <= value). */
export function countAtOrBefore(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `#t=1:05` or `#t=65` (seconds into the interview) -> ms; null when the hash says nothing. */
export function parseMoment(hash: string): number | null {
  const match = /^#?t=(?:(\d+):)?(?:(\d+):)?(\d+)$/.exec(hash);
  if (!match) return null;
  const [, a, b, c] = match;
  const [h, m] = b !== undefined ? [Number(a), Number(b)] : [0, Number(a ?? 0)];
  return ((h * 60 + m) * 60 + Number(c)) * 1000;
}

/** The link fragment for an instant `ms` into the interview, e.g. `#t=1:05`. */
export function momentHash(ms: number): string {
  return `#t=${formatClock(ms)}`;
}
