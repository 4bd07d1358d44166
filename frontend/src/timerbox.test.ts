import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TimerBox } from "./timerbox";

// Just what TimerBox touches of its two elements.
function fakeElement() {
  const attrs: Record<string, string> = {};
  return {
    textContent: "",
    hidden: true,
    dataset: {} as Record<string, string>,
    setAttribute: (k: string, v: string) => (attrs[k] = v),
    attrs,
  };
}

describe("timer box", () => {
  let now: number;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 1_000_000;
  });
  afterEach(() => vi.useRealTimers());

  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };

  it("turns to the next second right when the server clock does, not up to a poll later", () => {
    const el = fakeElement();
    const banner = fakeElement();
    const box = new TimerBox(el as unknown as HTMLElement, banner as unknown as HTMLElement, () => now);
    // 10.5 s left: shows 0:11 until exactly 10.000 s left.
    box.set({ status: "running", duration_ms: 60_000, elapsed_ms: 49_500, server_time: now });
    expect(el.textContent).toBe("0:11");
    expect(el.dataset.phase).toBe("warning");
    advance(495);
    expect(el.textContent).toBe("0:11");
    advance(15);
    expect(el.textContent).toBe("0:10");
    advance(1000);
    expect(el.textContent).toBe("0:09");
    advance(9_000);
    expect(el.textContent).toBe("0:00");
    expect(el.dataset.phase).toBe("expired");
    expect(el.attrs["aria-label"]).toBe("Time's up");
    expect(banner.hidden).toBe(false);
  });

  it("stands still while paused", () => {
    const el = fakeElement();
    const box = new TimerBox(el as unknown as HTMLElement, fakeElement() as unknown as HTMLElement, () => now);
    box.set({ status: "paused", duration_ms: 60_000, elapsed_ms: 30_000, server_time: now });
    advance(5_000);
    expect(el.textContent).toBe("0:30");
    expect(el.attrs["aria-label"]).toBe("0:30 left, paused");
  });
});
