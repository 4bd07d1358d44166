// Signals for the transcript: a large paste into the editor, leaving and returning to the tab.
import type { ControlClient } from "./protocol";

export const LARGE_PASTE_CHARS = 200;

export function watchSignals(control: ControlClient, editorRoot: HTMLElement): void {
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
  let last = true;
  const maybeReport = () => {
    const focus = document.visibilityState === "visible" && document.hasFocus();
    if (focus !== last && control.send({ type: "presence", focus })) last = focus;
  };
  document.addEventListener("visibilitychange", maybeReport);
  window.addEventListener("blur", maybeReport);
  window.addEventListener("focus", maybeReport);
  control.onStatus((s) => {
    // A new connection starts as focused on the server; only say so when it is not.
    if (s === "connected") {
      last = true;
      maybeReport();
    }
  });
}
