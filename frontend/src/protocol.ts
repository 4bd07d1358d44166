// Control channel client: JSON frames over one websocket that reconnects by itself,
// and measures the server clock with ping/pong while connected.
import { ServerClock } from "./clock";

export type Frame = { type: string; [key: string]: unknown };
export type ControlStatus = "connecting" | "connected" | "reconnecting" | "closed";

type Handler = (frame: Frame) => void;

export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ControlOptions {
  makeSocket?: (url: string) => SocketLike;
  /** Pings right after connecting (to get a good clock sample fast), then one per interval. */
  pingIntervalMs?: number;
  now?: () => number;
  clock?: ServerClock;
}

const OPEN = 1;
// Close codes after which retrying cannot help: no valid seat, no such room, the room has
// ended (candidate and observer links die with it), too many open tabs for one seat.
export const FINAL_CODES: Record<number, string> = {
  4403: "This link no longer opens the room.",
  4404: "This room does not exist.",
  4410: "The interview has ended.",
  4429: "This seat is open in too many tabs; close one and reload.",
};

/** The server is restarting (a graceful drain): another server takes the room at once. */
export const SERVICE_RESTART = 1012;

/** Delay before reconnect attempt n (0-based): doubling from 500 ms up to 8 s, with jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(8000, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

export class ControlClient {
  readonly clock: ServerClock;
  status: ControlStatus = "connecting";
  private socket: SocketLike | null = null;
  private handlers = new Map<string, Handler[]>();
  /** The last frame of each type: for a part of the page that mounts after it arrived. */
  private lastOfType = new Map<string, Frame>();
  private statusListeners: ((s: ControlStatus) => void)[] = [];
  private attempt = 0;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  /** A ping went out and nothing has come back since. */
  private unanswered = false;
  private readonly makeSocket: (url: string) => SocketLike;
  private readonly now: () => number;
  private readonly pingIntervalMs: number;

  constructor(
    readonly url: string,
    options: ControlOptions = {},
  ) {
    this.makeSocket = options.makeSocket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
    this.now = options.now ?? (() => Date.now());
    this.pingIntervalMs = options.pingIntervalMs ?? 20_000;
    this.clock = options.clock ?? new ServerClock(8, this.now);
    this.on("pong", (f) => {
      if (typeof f.t === "number" && typeof f.server_time === "number") this.clock.addPong(f.t, f.server_time, this.now());
    });
    this.on("room.state", (f) => {
      if (typeof f.server_time === "number") this.clock.seed(f.server_time);
    });
  }

  on(type: string, handler: Handler): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler);
    this.handlers.set(type, list);
  }

  onStatus(listener: (s: ControlStatus) => void): void {
    this.statusListeners.push(listener);
  }

  connect(): void {
    this.stopped = false;
    const socket = this.makeSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.unanswered = false;
      this.setStatus("connected");
      this.startPinging();
    };
    socket.onmessage = (ev) => {
      this.unanswered = false;
      this.dispatch(ev.data);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopPinging();
      if (this.stopped || ev.code in FINAL_CODES) {
        this.setStatus("closed");
        this.emit({ type: "connection.closed", code: ev.code });
        return;
      }
      this.setStatus("reconnecting");
      this.retryLater(ev.code === SERVICE_RESTART);
    };
    socket.onerror = () => {
      /* onclose follows and schedules the retry */
    };
  }

  /**
   * The browser says the network is gone: a socket may still look open while nothing gets
   * through, so drop it now and retry as when a connection is lost.
   */
  drop(): void {
    const socket = this.socket;
    if (this.stopped || !socket) return;
    this.socket = null;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    socket.close(4000);
    this.stopPinging();
    this.setStatus("reconnecting");
    this.retryLater();
  }

  /** The network is back: try at once instead of waiting out the backoff. */
  reconnectNow(): void {
    if (this.stopped || this.socket) return;
    this.timers.forEach(clearTimeout);
    this.timers = [];
    this.attempt = 0;
    this.connect();
  }

  /** Sends a frame if connected; returns false (and sends nothing) otherwise. */
  send(frame: Frame): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  ping(): void {
    if (this.send({ type: "ping", t: this.now() })) this.unanswered = true;
  }

  close(): void {
    this.stopped = true;
    this.timers.forEach(clearTimeout);
    this.stopPinging();
    this.socket?.close(1000);
  }

  /** The last frame of this type that arrived, if any. */
  lastFrame(type: string): Frame | undefined {
    return this.lastOfType.get(type);
  }

  /** Tests and the page use this to feed a frame as if it had arrived. */
  emit(frame: Frame): void {
    this.lastOfType.set(frame.type, frame);
    for (const handler of this.handlers.get(frame.type) ?? []) handler(frame);
    for (const handler of this.handlers.get("*") ?? []) handler(frame);
  }

  private dispatch(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame && typeof frame === "object" && typeof (frame as Frame).type === "string") this.emit(frame as Frame);
  }

  /** Retry after the backoff; at once (within 100 ms, spread) after a server's drain. */
  private retryLater(soon = false): void {
    const delay = soon ? Math.round(Math.random() * 100) : backoffMs(this.attempt++);
    this.timers.push(
      setTimeout(() => {
        if (!this.socket && !this.stopped) this.connect();
      }, delay),
    );
  }

  private setStatus(status: ControlStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private startPinging(): void {
    this.stopPinging();
    // A burst of three samples at connect gives a tight offset within a second.
    this.ping();
    this.timers.push(setTimeout(() => this.ping(), 300), setTimeout(() => this.ping(), 900));
    this.pingTimer = setInterval(() => {
      // Every ping gets a pong: the last ping unanswered a whole interval later means a dead
      // link the browser has not noticed (no close, no offline event), so reconnect. Counted
      // from the ping, not the clock: background tabs run this timer late.
      if (this.unanswered) return this.drop();
      this.ping();
    }, this.pingIntervalMs);
  }

  private stopPinging(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
