// The one connection badge: both channels up, reconnecting, or offline with edits pending.
import type { ControlStatus } from "./protocol";
import type { DocStatus } from "./doc";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline" | "closed";

export interface ConnectionView {
  state: ConnectionState;
  label: string;
}

function edits(count: number): string {
  return `${count} edit${count === 1 ? "" : "s"}`;
}

/** A candidate's or observer's page once the room has ended: its link no longer connects. */
export function endedView(doc: DocStatus): ConnectionView {
  const lost = doc.pendingEdits > 0 ? ` — ${edits(doc.pendingEdits)} typed offline could not be saved` : "";
  return { state: "closed", label: "Interview ended" + lost };
}

/** `everConnected`: this page has been connected before; until then it is still connecting,
 * whichever of its two channels comes up first. */
export function connectionView(
  control: ControlStatus,
  doc: DocStatus,
  browserOnline: boolean,
  everConnected = true,
): ConnectionView {
  const pending = doc.pendingEdits > 0 ? ` — ${edits(doc.pendingEdits)} pending` : "";
  if (control === "closed") return { state: "closed", label: "Disconnected" + pending };
  if (!browserOnline) return { state: "offline", label: "Offline" + (pending || " — keep typing, edits merge on reconnect") };
  if (control === "connected" && doc.connected && doc.synced) return { state: "connected", label: "Connected" };
  // A page just opened; edits pending here were left by an earlier page of this seat.
  if (!everConnected || (control === "connecting" && !doc.connected)) return { state: "connecting", label: "Connecting…" + pending };
  return { state: "reconnecting", label: "Reconnecting…" + pending };
}
