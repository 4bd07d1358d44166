import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ControlClient, backoffMs, type SocketLike } from "./protocol";

// A stand-in for the browser's WebSocket, driven by the test like a server would.
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.closedWith = code;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe("control channel client", () => {
  let sockets: FakeSocket[];
  let local: number;
  const client = () =>
    new ControlClient("ws://h/ws/rooms/r1/", {
      makeSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      now: () => local,
    });

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    local = 50_000;
  });
  afterEach(() => vi.useRealTimers());

  it("hands each frame to the handlers of its type and ignores garbage", () => {
    const c = client();
    const seen: string[] = [];
    c.on("chat.message", (f) => seen.push(String(f.text)));
    c.connect();
    sockets[0].open();
    sockets[0].receive({ type: "chat.message", text: "hi" });
    sockets[0].receive("not json");
    sockets[0].receive({ no: "type" });
    sockets[0].receive({ type: "timer.state" });
    expect(seen).toEqual(["hi"]);
  });

  it("measures the server clock with pings when connected", () => {
    const c = client();
    c.connect();
    sockets[0].open();
    expect(sockets[0].sent[0]).toEqual({ type: "ping", t: 50_000 });
    local = 50_100;
    sockets[0].receive({ type: "pong", t: 50_000, server_time: 1_050_050 });
    expect(c.clock.offsetMs).toBe(1_000_000);
    expect(c.clock.now()).toBe(1_050_100);
    vi.advanceTimersByTime(1000);
    expect(sockets[0].sent.filter((f) => (f as { type: string }).type === "ping")).toHaveLength(3);
  });

  it("refuses to send while disconnected instead of losing the frame silently", () => {
    const c = client();
    c.connect();
    expect(c.send({ type: "chat.send", text: "early" })).toBe(false);
    sockets[0].open();
    expect(c.send({ type: "chat.send", text: "now" })).toBe(true);
    expect(sockets[0].sent).toContainEqual({ type: "chat.send", text: "now" });
  });

  it("reconnects after a drop and reports each state", () => {
    const c = client();
    const states: string[] = [];
    c.onStatus((s) => states.push(s));
    c.connect();
    sockets[0].open();
    sockets[0].drop();
    expect(c.status).toBe("reconnecting");
    expect(c.send({ type: "ping", t: 1 })).toBe(false);
    vi.advanceTimersByTime(backoffMs(0, () => 1) + 1);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(states).toEqual(["connected", "reconnecting", "connected"]);
  });

  it("reconnects at once when the server closes for a restart (1012), not after the backoff", () => {
    const c = client();
    c.connect();
    sockets[0].open();
    sockets[0].drop(1012);
    expect(c.status).toBe("reconnecting");
    vi.advanceTimersByTime(101);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(c.status).toBe("connected");
  });

  it("drops a socket that looks open when the browser goes offline, and retries at once when back", () => {
    const c = client();
    const seen: string[] = [];
    c.on("chat.message", (f) => seen.push(String(f.text)));
    c.connect();
    sockets[0].open();
    c.drop();
    expect(c.status).toBe("reconnecting");
    expect(sockets[0].closedWith).toBe(4000);
    expect(c.send({ type: "chat.send", text: "lost?" })).toBe(false);
    // A late frame from the dropped socket is not taken for news.
    sockets[0].receive({ type: "chat.message", text: "stale" });
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(1);
    c.reconnectNow();
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(c.status).toBe("connected");
    // The retry scheduled by the drop does not open a second socket.
    vi.advanceTimersByTime(15_000);
    expect(sockets).toHaveLength(2);
  });

  it("gives up on a link that has gone silent and reconnects", () => {
    const c = client();
    c.connect();
    sockets[0].open();
    const answer = () => sockets[0].receive({ type: "pong", t: local, server_time: local });
    vi.advanceTimersByTime(1000);
    answer();
    // Answered pings keep it alive, however late the timer runs (a background tab).
    for (const late of [20_000, 80_000, 20_000]) {
      local += late;
      vi.advanceTimersByTime(20_000);
      answer();
    }
    expect(c.status).toBe("connected");
    expect(sockets).toHaveLength(1);
    // A ping still unanswered at the next tick: dropped, then a new socket.
    vi.advanceTimersByTime(40_000);
    expect(sockets[0].closedWith).toBe(4000);
    expect(sockets.length).toBeGreaterThan(1);
  });

  it("stops retrying when the server says the seat is not allowed", () => {
    const c = client();
    const closed: unknown[] = [];
    c.on("connection.closed", (f) => closed.push(f.code));
    c.connect();
    sockets[0].drop(4403);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(c.status).toBe("closed");
    expect(closed).toEqual([4403]);
  });

  it("backs off exponentially up to a cap", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffMs(n, mid))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});

describe("a part of the page that mounts late", () => {
  it("finds the last frame of a type that arrived before it", () => {
    const control = new ControlClient("ws://x/ws/rooms/r/", { makeSocket: () => ({}) as never });
    expect(control.lastFrame("room.state")).toBeUndefined();
    control.emit({ type: "room.state", plan: [1] });
    control.emit({ type: "room.state", plan: [2] });
    expect(control.lastFrame("room.state")).toEqual({ type: "room.state", plan: [2] });
  });
});
