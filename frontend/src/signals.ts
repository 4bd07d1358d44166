// Signals for the transcript: a large paste into the editor, leaving and returning to the tab
// (what counts as leaving: focus.ts).
import { FocusReporter } from "./focus";
import type { ControlClient } from "./protocol";

export const LARGE_PASTE_CHARS = 200;

export function watchSignals(control: ControlClient, editorRoot: HTMLElement, roomId: string): void {
  editorRoot.addEventListener(
    "paste",
    (ev) => {
      const text = ev.clipboardData?.getData("text/plain") ?? "";
      if (text.length >= LARGE_PASTE_CHARS) {
        control.send({ type: "signal", kind: "paste", chars: text.length });
      }
    },
    true,
  );
  watchFocus(control, roomId);
}

// What this tab last told the room about its focus survives the tab's reloads (sessionStorage
// is per tab), so a page reloaded while its user is away neither repeats the leave nor misses
// the return.
function watchFocus(control: ControlClient, roomId: string): void {
  const key = `interview-room/${roomId}/focus-reported`;
  const stored = readSession(key);
  const reporter = new FocusReporter({
    send: (focus) => control.send({ type: "presence", focus }),
    isFocused: () => document.visibilityState === "visible" && document.hasFocus(),
    reported: stored === null ? undefined : stored === "true",
    onReported: (focus) => writeSession(key, String(focus)),
  });
  const changed = () => reporter.changed();
  document.addEventListener("visibilitychange", changed);
  window.addEventListener("blur", changed);
  window.addEventListener("focus", changed);
  // pagehide comes before the visibilitychange of an unload; beforeunload would be too early
  // (the leave warning can keep the page).
  window.addEventListener("pagehide", () => reporter.unload());
  window.addEventListener("pageshow", (ev) => {
    if (ev.persisted) reporter.resume();
  });
  control.onStatus((s) => {
    if (s === "connected") reporter.flush();
  });
}

function readSession(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeSession(key: string, value: string): void {
  try {
    window.sessionStorage.setItem(key, value);
  } catch {
    /* storage refused: a reload then starts from "focused", as a new connection does */
  }
}
