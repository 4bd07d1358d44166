// The one connection badge: both channels up, reconnecting, or offline with edits pending.
import type { ControlStatus } from "./protocol";
import type { DocStatus } from "./doc";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline" | "closed";

export interface ConnectionView {
  state: ConnectionState;
  label: string;
}

export function connectionView(control: ControlStatus, doc: DocStatus, browserOnline: boolean): ConnectionView {
  const pending = doc.pendingEdits > 0 ? ` — ${doc.pendingEdits} edit${doc.pendingEdits === 1 ? "" : "s"} pending` : "";
  if (control === "closed") return { state: "closed", label: "Disconnected" + pending };
  if (!browserOnline) return { state: "offline", label: "Offline" + (pending || " — keep typing, edits merge on reconnect") };
  if (control === "connected" && doc.connected && doc.synced) return { state: "connected", label: "Connected" };
  if (control === "connecting" && !doc.connected && doc.pendingEdits === 0) return { state: "connecting", label: "Connecting…" };
  return { state: "reconnecting", label: "Reconnecting…" + pending };
}
