import { describe, expect, it } from "vitest";
import { formatRemaining, timerView, warningThresholdMs, type TimerState } from "./timer";

const running = (over: Partial<TimerState> = {}): TimerState => ({
  status: "running",
  duration_ms: 30 * 60_000,
  elapsed_ms: 0,
  server_time: 1_000_000,
  ...over,
});

describe("timer display", () => {
  it("counts down from the server's state and clock", () => {
    expect(timerView(running(), 1_000_000).label).toBe("30:00");
    expect(timerView(running(), 1_000_001).label).toBe("30:00");
    expect(timerView(running(), 1_001_000).label).toBe("29:59");
    expect(timerView(running({ elapsed_ms: 60_000 }), 1_000_000).label).toBe("29:00");
  });

  it("shows the same second on two screens with the same server clock estimate", () => {
    const state = running({ elapsed_ms: 12_345 });
    for (const now of [1_000_000, 1_000_999, 1_017_500, 1_600_001]) {
      expect(timerView(state, now).label).toBe(timerView({ ...state }, now).label);
    }
  });

  it("stands still while paused", () => {
    const paused = running({ status: "paused", elapsed_ms: 90_000 });
    expect(timerView(paused, 1_000_000)).toEqual(timerView(paused, 9_000_000));
    expect(timerView(paused, 1_000_000)).toMatchObject({ phase: "paused", label: "28:30" });
  });

  it("warns near the end and says time's up at zero", () => {
    const state = running();
    const warnAt = 30 * 60_000 - warningThresholdMs(30 * 60_000);
    expect(timerView(state, 1_000_000 + warnAt - 1).phase).toBe("running");
    expect(timerView(state, 1_000_000 + warnAt).phase).toBe("warning");
    expect(timerView(state, 1_000_000 + 30 * 60_000 - 1)).toMatchObject({ phase: "warning", label: "0:01" });
    expect(timerView(state, 1_000_000 + 30 * 60_000)).toMatchObject({ phase: "expired", label: "0:00" });
    expect(timerView({ ...state, status: "expired" }, 0).phase).toBe("expired");
  });

  it("shows an idle timer as not started", () => {
    expect(timerView(null, 0)).toMatchObject({ phase: "idle", label: "--:--" });
    expect(timerView({ ...running(), status: "idle", duration_ms: 0 }, 0).label).toBe("--:--");
  });

  it("formats hours, minutes and seconds, rounding up", () => {
    expect(formatRemaining(0)).toBe("0:00");
    expect(formatRemaining(1)).toBe("0:01");
    expect(formatRemaining(59_001)).toBe("1:00");
    expect(formatRemaining(3_600_000)).toBe("1:00:00");
    expect(formatRemaining(-5)).toBe("0:00");
  });
});
