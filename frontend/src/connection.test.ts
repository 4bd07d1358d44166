import { describe, expect, it } from "vitest";
import { connectionView, endedView } from "./connection";

const doc = (connected: boolean, synced: boolean, pendingEdits = 0) => ({ connected, synced, pendingEdits });

describe("connection badge", () => {
  it("says connected only when both channels are up and the document is in sync", () => {
    expect(connectionView("connected", doc(true, true), true)).toEqual({ state: "connected", label: "Connected" });
    expect(connectionView("connected", doc(true, false), true).state).toBe("reconnecting");
    expect(connectionView("reconnecting", doc(true, true), true).state).toBe("reconnecting");
  });

  it("counts edits waiting for the server", () => {
    expect(connectionView("reconnecting", doc(false, false, 3), true).label).toBe("Reconnecting… — 3 edits pending");
    expect(connectionView("reconnecting", doc(false, false, 1), false)).toEqual({ state: "offline", label: "Offline — 1 edit pending" });
  });

  it("tells a closed seat apart from a flaky network", () => {
    expect(connectionView("closed", doc(false, false), true).state).toBe("closed");
  });

  it("a page just opened shows what an earlier page left pending", () => {
    expect(connectionView("connecting", doc(false, false), true)).toEqual({ state: "connecting", label: "Connecting…" });
    expect(connectionView("connecting", doc(false, false, 2), true)).toEqual({ state: "connecting", label: "Connecting… — 2 edits pending" });
  });

  it("a page that has never been connected is connecting, whichever channel is up first", () => {
    expect(connectionView("connected", doc(false, false), true, false)).toEqual({ state: "connecting", label: "Connecting…" });
    expect(connectionView("connecting", doc(true, false), true, false).state).toBe("connecting");
    expect(connectionView("connected", doc(true, true), true, false).state).toBe("connected");
    expect(connectionView("connected", doc(false, false), true, true).state).toBe("reconnecting");
    expect(connectionView("connected", doc(false, false), false, false).state).toBe("offline");
  });

  it("says so when a room ended with edits that never reached it", () => {
    expect(endedView(doc(false, false))).toEqual({ state: "closed", label: "Interview ended" });
    expect(endedView(doc(false, false, 4)).label).toBe("Interview ended — 4 edits typed offline could not be saved");
  });
});
