import { afterEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { PendingEdits, SAVE_EVERY_MS, type KeyValueStore } from "./pending";

// The browser's localStorage as one origin sees it: every page (tab) of it shares this map.
function storage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const refused = () => {
  throw new Error("denied");
};

// A document both sides have, and a page typing into it while cut off, then unloaded.
function offlineTyping(pending: PendingEdits, base: Uint8Array, text: string): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  doc.on("update", (update: Uint8Array) => pending.add(update));
  for (const char of text) doc.getText("code").insert(doc.getText("code").length, char);
  pending.save(); // pagehide
  return doc;
}

function baseDocument(): Uint8Array {
  const server = new Y.Doc();
  server.getText("code").insert(0, "def f():\n");
  return Y.encodeStateAsUpdate(server);
}

describe("edits pending in this browser", () => {
  afterEach(() => vi.useRealTimers());

  it("are written while typing goes on, at most every so often", () => {
    vi.useFakeTimers();
    const store = storage();
    const page = new PendingEdits(store, "k");
    const doc = new Y.Doc();
    doc.on("update", (update: Uint8Array) => page.add(update));
    doc.getText("code").insert(0, "a");
    doc.getText("code").insert(1, "b");
    expect(page.count).toBe(2);
    expect(new PendingEdits(store, "k").count).toBe(0);
    vi.advanceTimersByTime(SAVE_EVERY_MS);
    expect(new PendingEdits(store, "k").count).toBe(2);
    doc.getText("code").insert(2, "c");
    expect(page.count).toBe(3);
    vi.advanceTimersByTime(SAVE_EVERY_MS);
    const later = new PendingEdits(store, "k");
    expect(later.count).toBe(3);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, later.update!);
    expect(reloaded.getText("code").toString()).toBe("abc");
  });

  it("a page loaded after a reload still has what was typed offline, and how many", () => {
    const store = storage();
    const base = baseDocument();
    offlineTyping(new PendingEdits(store, "room-a/seat-1"), base, "  pass");

    const after = new PendingEdits(store, "room-a/seat-1");
    expect(after.count).toBe(6);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, base);
    Y.applyUpdate(reloaded, after.update!);
    expect(reloaded.getText("code").toString()).toBe("def f():\n  pass");
    // Applied twice (the local copy had some of it too): still once.
    Y.applyUpdate(reloaded, after.update!);
    expect(reloaded.getText("code").toString()).toBe("def f():\n  pass");

    after.clear();
    expect(new PendingEdits(store, "room-a/seat-1").count).toBe(0);
    expect(new PendingEdits(store, "room-a/seat-1").update).toBeNull();
    expect(store.data.size).toBe(0);
  });

  it("gathers every tab of the seat; other rooms and seats keep their own", () => {
    const store = storage();
    const base = baseDocument();
    offlineTyping(new PendingEdits(store, "room-a/seat-1"), base, "ab");
    offlineTyping(new PendingEdits(store, "room-a/seat-1"), base, "cd");
    const pending = new PendingEdits(store, "room-a/seat-1");
    expect(pending.count).toBe(4);
    const merged = new Y.Doc();
    Y.applyUpdate(merged, base);
    Y.applyUpdate(merged, pending.update!);
    expect([...merged.getText("code").toString().slice(9)].sort().join("")).toBe("abcd");
    expect(new PendingEdits(store, "room-b/seat-1").count).toBe(0);
    expect(new PendingEdits(store, "room-a/seat-2").count).toBe(0);
  });

  it("keeps them in memory when storage is refused or full", () => {
    const base = baseDocument();
    const refusing = new PendingEdits({ getItem: refused, setItem: refused, removeItem: refused }, "k");
    offlineTyping(refusing, base, "xy");
    expect(refusing.count).toBe(2);
    const full = new PendingEdits({ ...storage(), setItem: refused }, "k");
    offlineTyping(full, base, "xyz");
    expect(full.count).toBe(3);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, base);
    Y.applyUpdate(doc, full.update!);
    expect(doc.getText("code").toString()).toBe("def f():\nxyz");
    const none = new PendingEdits(null, "k");
    offlineTyping(none, base, "z");
    expect(none.count).toBe(1);
  });

  it("reads what is not its own in storage as nothing pending", () => {
    const store = storage();
    for (const junk of ["lots", "{}", '{"count": -3, "update": ""}', '{"count": 2, "update": "%%%"}']) {
      store.setItem("k", junk);
      expect(new PendingEdits(store, "k").count).toBe(0);
    }
  });
});
