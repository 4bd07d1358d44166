// The countdown every screen draws from the server's timer state and the server clock.
export type TimerStatus = "idle" | "running" | "paused" | "expired";

export interface TimerState {
  status: TimerStatus;
  duration_ms: number;
  /** Time run so far, as of `server_time`. */
  elapsed_ms: number;
  server_time: number;
}

export type TimerPhase = "idle" | "running" | "warning" | "paused" | "expired";

export interface TimerView {
  phase: TimerPhase;
  remainingMs: number;
  label: string;
}

/** The last stretch shown as a warning: 2 minutes, or a fifth of short timers. */
export function warningThresholdMs(durationMs: number): number {
  return Math.min(120_000, Math.max(10_000, durationMs / 5));
}

export function elapsedAt(timer: TimerState, serverNow: number): number {
  const running = timer.status === "running" ? Math.max(0, serverNow - timer.server_time) : 0;
  return timer.elapsed_ms + running;
}

/** Whole seconds left, rounded up, so "0:00" appears exactly at expiry on every screen. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function timerView(timer: TimerState | null, serverNow: number): TimerView {
  if (!timer || timer.status === "idle" || timer.duration_ms <= 0) {
    const duration = timer?.duration_ms ?? 0;
    return { phase: "idle", remainingMs: duration, label: duration > 0 ? formatRemaining(duration) : "--:--" };
  }
  const remainingMs = Math.max(0, timer.duration_ms - elapsedAt(timer, serverNow));
  if (timer.status === "expired" || remainingMs <= 0) {
    return { phase: "expired", remainingMs: 0, label: "0:00" };
  }
  if (timer.status === "paused") return { phase: "paused", remainingMs, label: formatRemaining(remainingMs) };
  const phase = remainingMs <= warningThresholdMs(timer.duration_ms) ? "warning" : "running";
  return { phase, remainingMs, label: formatRemaining(remainingMs) };
}
