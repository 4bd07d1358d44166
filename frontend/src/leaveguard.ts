// The browser's "Leave site?" warning while edits typed here have reached no server. They are
// kept in the browser and merge when the room is opened again, but only on this browser.

export interface LeaveGuard {
  /** The page reloads itself (a pair's role swap): what is pending merges after the reload. */
  allowLeaving(): void;
}

export function guardLeaving(hasUnsentEdits: () => boolean): LeaveGuard {
  let allowed = false;
  window.addEventListener("beforeunload", (ev) => {
    if (allowed || !hasUnsentEdits()) return;
    ev.preventDefault();
    ev.returnValue = ""; // browsers that predate preventDefault() here
  });
  return { allowLeaving: () => (allowed = true) };
}
