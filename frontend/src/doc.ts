// The room's shared Y.Doc over the document channel, kept in the browser too (IndexedDB, with
// the edits no server has yet also in localStorage: pending.ts) so that edits typed while
// offline survive a reload or a closed tab, and whether local edits still wait for the server
// (y-websocket sends them in its sync on reconnect).
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { IndexeddbPersistence, fetchUpdates } from "y-indexeddb";
import { PendingEdits, type KeyValueStore } from "./pending";

export interface DocStatus {
  connected: boolean;
  synced: boolean;
  pendingEdits: number;
}

export interface DocOptions {
  roomId: string;
  seat: number;
  /** Observers type nothing: no local copy, nothing pending. */
  readOnly: boolean;
}

// A local copy that does not open (IndexedDB refused or stuck) must not keep the room offline.
const LOCAL_COPY_WAIT_MS = 2000;

/** One local copy per room and seat: tabs of a seat share it, other rooms and seats never do. */
export function localCopyName(roomId: string, seat: number): string {
  return `interview-room/${roomId}/seat-${seat}`;
}

function browserStorage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class SharedDoc {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  private readonly local: IndexeddbPersistence | null;
  private readonly pending: PendingEdits | null;
  private listeners: ((s: DocStatus) => void)[] = [];
  private halted = false;
  private lostEdits = 0; // pending when the room closed to this seat: they never reach it

  constructor(serverUrl: string, options: DocOptions) {
    this.provider = new WebsocketProvider(serverUrl, options.roomId, this.doc, {
      connect: false,
      resyncInterval: 10_000,
      // Only the server relays edits; tabs of one browser must not bypass it (read-only seats).
      disableBc: true,
    });
    const name = localCopyName(options.roomId, options.seat);
    this.local = options.readOnly ? null : new IndexeddbPersistence(name, this.doc);
    this.pending = options.readOnly ? null : new PendingEdits(browserStorage(), `${name}/pending`);
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      // Typed here while cut off; not what the server sent, nor what was restored here.
      const restored = origin === this.local || origin === this.pending;
      if (origin !== this.provider && !restored && !this.provider.wsconnected) {
        this.pending?.add(update);
        this.notify();
      }
    });
    this.restorePending();
    this.provider.on("status", () => this.notify());
    this.provider.on("sync", (synced: boolean) => {
      if (synced && this.provider.wsconnected) void this.deliverLocalCopy();
      this.notify();
    });
    // Another tab of the seat counted an edit, or delivered the local copy.
    window.addEventListener("storage", (ev) => {
      if (ev.key === this.pending?.key) this.notify();
    });
    // The last moments a page surely has (a hidden page may be discarded without unloading).
    const save = () => this.pending?.save();
    window.addEventListener("pagehide", save);
    document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && save());
    // Connect with the local copy loaded, so the first sync carries what it holds.
    const loaded = this.local
      ? Promise.race([this.local.whenSynced, new Promise((done) => setTimeout(done, LOCAL_COPY_WAIT_MS))])
      : Promise.resolve();
    void loaded.then(() => {
      if (!this.halted) this.provider.connect();
    });
  }

  get status(): DocStatus {
    return {
      connected: this.provider.wsconnected,
      synced: this.provider.synced,
      pendingEdits: this.halted ? this.lostEdits : (this.pending?.count ?? 0),
    };
  }

  onStatus(listener: (s: DocStatus) => void): void {
    this.listeners.push(listener);
  }

  setUser(user: { name: string; color: string; colorLight: string }): void {
    this.provider.awareness.setLocalStateField("user", user);
  }

  /** The room is closed to this seat for good: stop, and drop the local copy it cannot use. */
  halt(): void {
    this.halted = true;
    this.lostEdits = this.pending?.count ?? 0;
    this.provider.disconnect();
    this.pending?.clear();
    void this.local?.clearData();
    this.notify();
  }

  /**
   * After a reconnect the provider answers the server's sync step 1 with everything this page
   * has that the server lacks, before the server's step 2 reaches us. The local copy and the
   * pending edits may also hold edits of another tab of the seat, closed while offline: load
   * them too (the provider sends them on at once, the server keeps what it lacks). Then
   * nothing waits any more.
   */
  private async deliverLocalCopy(): Promise<void> {
    if (this.local) await fetchUpdates(this.local).catch(() => undefined);
    this.restorePending();
    if (this.provider.wsconnected && !this.halted) {
      this.pending?.clear();
      this.notify();
    }
  }

  /** Applies the pending edits kept beside the local copy (Yjs skips what the doc has). */
  private restorePending(): void {
    const update = this.pending?.update;
    if (!update) return;
    try {
      Y.applyUpdate(this.doc, update, this.pending);
    } catch {
      this.pending?.clear(); // damaged: nothing in it can be applied, now or later
    }
  }

  private notify(): void {
    const status = this.status;
    for (const listener of this.listeners) listener(status);
  }
}
