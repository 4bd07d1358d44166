import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FOCUS_GRACE_MS, FocusReporter } from "./focus";

function page(options: { reported?: boolean } = {}) {
  const sent: boolean[] = [];
  const state = { focused: true, connected: true };
  const reporter = new FocusReporter({
    send: (focus) => state.connected && sent.push(focus) > 0,
    isFocused: () => state.focused,
    ...options,
  });
  const set = (focused: boolean) => {
    state.focused = focused;
    reporter.changed();
  };
  return { sent, state, reporter, set };
}

describe("focus reports for the transcript", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reports a loss that lasts, and the return at once", () => {
    const { sent, set } = page();
    set(false);
    vi.advanceTimersByTime(FOCUS_GRACE_MS - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([false]);
    set(true);
    expect(sent).toEqual([false, true]);
  });

  it("says nothing about a blur followed by an unload (a reload, a role swap)", () => {
    const { sent, set, reporter } = page();
    set(false); // the blur before the unload
    reporter.unload(); // pagehide
    set(false); // the unload's own visibilitychange
    vi.advanceTimersByTime(FOCUS_GRACE_MS * 3);
    expect(sent).toEqual([]);
  });

  it("says nothing about a short glance away", () => {
    const { sent, set } = page();
    set(false);
    vi.advanceTimersByTime(FOCUS_GRACE_MS / 2);
    set(true);
    vi.advanceTimersByTime(FOCUS_GRACE_MS * 3);
    expect(sent).toEqual([]);
  });

  it("does not report a loss the page has already got over when the timer runs late", () => {
    const { sent, state, reporter } = page();
    state.focused = false;
    reporter.changed();
    state.focused = true; // focus came back, its event not handled yet
    vi.advanceTimersByTime(FOCUS_GRACE_MS);
    expect(sent).toEqual([]);
  });

  it("a reconnect sends only a change the page saw while cut off", () => {
    const { sent, set, state, reporter } = page();
    reporter.flush(); // reconnected, nothing changed
    expect(sent).toEqual([]);
    set(false);
    vi.advanceTimersByTime(FOCUS_GRACE_MS);
    expect(sent).toEqual([false]);
    reporter.flush(); // reconnected while still away: already in the transcript
    expect(sent).toEqual([false]);
    state.connected = false;
    set(true); // came back while cut off: could not be sent
    expect(sent).toEqual([false]);
    state.connected = true;
    reporter.flush();
    expect(sent).toEqual([false, true]);
  });

  it("a page opened out of sight has left nothing", () => {
    const { sent, set, state, reporter } = page();
    state.focused = false; // opened in a background tab: no blur, it never had focus
    reporter.flush(); // connected
    vi.advanceTimersByTime(FOCUS_GRACE_MS * 2);
    set(true);
    expect(sent).toEqual([]);
  });

  it("a page reloaded while its user was away reports the return, not the leave again", () => {
    const saved: boolean[] = [];
    const sent: boolean[] = [];
    let focused = false;
    const reporter = new FocusReporter({
      send: (focus) => sent.push(focus) > 0,
      isFocused: () => focused,
      reported: false,
      onReported: (focus) => saved.push(focus),
    });
    reporter.flush();
    reporter.changed();
    vi.advanceTimersByTime(FOCUS_GRACE_MS * 2);
    expect(sent).toEqual([]);
    focused = true;
    reporter.changed();
    expect(sent).toEqual([true]);
    expect(saved).toEqual([true]);
  });

  it("listens again when the page comes back from the back/forward cache", () => {
    const { sent, set, reporter } = page();
    reporter.unload();
    reporter.resume();
    set(false);
    vi.advanceTimersByTime(FOCUS_GRACE_MS);
    expect(sent).toEqual([false]);
  });
});
