// The playback clock: where in the interview we are, playing or paused, and how fast.
//
// Speeds: "realtime" plays every second as it happened, idle stretches included. The ×
// speeds play that many times faster and skip the quiet: a stretch longer than IDLE_SKIP_MS
// with no edit and no event is jumped over, to LEAD_IN_MS before the next thing happens.
import { countAtOrBefore } from "./time";

export type Speed = number | "realtime";

export const IDLE_SKIP_MS = 5000;
export const LEAD_IN_MS = 1000;

/** The instant reached from `t` after `wallMs` of playing at `speed`, never past `end`. */
export function advance(t: number, wallMs: number, speed: Speed, activity: readonly number[], end: number): number {
  if (speed === "realtime") return Math.min(end, t + wallMs);
  let next = t + wallMs * speed;
  const upcoming = activity[countAtOrBefore(activity, t)] ?? end;
  if (upcoming - t > IDLE_SKIP_MS) next = Math.max(next, upcoming - LEAD_IN_MS);
  return Math.min(end, next);
}

export class Player {
  private t: number;
  private speedValue: Speed = 4;
  private frame: number | null = null;
  private lastWall = 0;
  private listeners: ((t: number) => void)[] = [];

  /**
   * @param start, end  the recording's bounds (ms since the epoch)
   * @param activity    sorted instants where something happened (edits and events)
   * @param edits       sorted instants of the edits, for stepping edit by edit
   */
  constructor(
    readonly start: number,
    readonly end: number,
    private readonly activity: readonly number[],
    private readonly edits: readonly number[],
  ) {
    this.t = start;
  }

  get time(): number {
    return this.t;
  }

  get playing(): boolean {
    return this.frame !== null;
  }

  get speed(): Speed {
    return this.speedValue;
  }

  set speed(value: Speed) {
    this.speedValue = value;
    this.emit();
  }

  onChange(listener: (t: number) => void): void {
    this.listeners.push(listener);
  }

  seek(t: number): void {
    this.t = Math.max(this.start, Math.min(this.end, t));
    this.emit();
  }

  play(): void {
    if (this.playing) return;
    if (this.t >= this.end) this.t = this.start;
    this.lastWall = performance.now();
    this.frame = requestAnimationFrame(this.tick);
    this.emit();
  }

  pause(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.emit();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** To the next edit (+1) or back to just before the previous one (-1). */
  stepEdit(direction: 1 | -1): void {
    const done = countAtOrBefore(this.edits, this.t);
    if (direction > 0) {
      if (done < this.edits.length) this.seek(this.edits[done]);
      else this.seek(this.end);
    } else {
      // Undo the last edit shown: go to the instant of the one before it.
      const previous = done - 1;
      const keep = previous > 0 ? countAtOrBefore(this.edits, this.edits[previous] - 1) : 0;
      this.seek(keep > 0 ? this.edits[keep - 1] : this.start);
    }
  }

  private tick = (now: number): void => {
    const wall = now - this.lastWall;
    this.lastWall = now;
    this.t = advance(this.t, wall, this.speedValue, this.activity, this.end);
    if (this.t >= this.end) {
      this.frame = null;
    } else {
      this.frame = requestAnimationFrame(this.tick);
    }
    this.emit();
  };

  private emit(): void {
    for (const listener of this.listeners) listener(this.t);
  }
}
