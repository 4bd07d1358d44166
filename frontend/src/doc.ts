// The room's shared Y.Doc over the document channel, and whether local edits still wait
// for the server (typed while offline; y-websocket sends them in its sync on reconnect).
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";

export interface DocStatus {
  connected: boolean;
  synced: boolean;
  pendingEdits: number;
}

export class SharedDoc {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  private pending = 0;
  private listeners: ((s: DocStatus) => void)[] = [];

  constructor(serverUrl: string, roomId: string) {
    this.provider = new WebsocketProvider(serverUrl, roomId, this.doc, {
      resyncInterval: 10_000,
      // Only the server relays edits; tabs of one browser must not bypass it (read-only seats).
      disableBc: true,
    });
    this.doc.on("update", (_update: Uint8Array, origin: unknown) => {
      if (origin !== this.provider && !this.provider.wsconnected) {
        this.pending += 1;
        this.notify();
      }
    });
    this.provider.on("status", () => this.notify());
    this.provider.on("sync", (synced: boolean) => {
      // After a reconnect the provider answers the server's sync step 1 with everything we
      // have that it lacks, before the server's step 2 reaches us: our edits are on their way.
      if (synced && this.provider.wsconnected) this.pending = 0;
      this.notify();
    });
  }

  get status(): DocStatus {
    return { connected: this.provider.wsconnected, synced: this.provider.synced, pendingEdits: this.pending };
  }

  onStatus(listener: (s: DocStatus) => void): void {
    this.listeners.push(listener);
  }

  setUser(user: { name: string; color: string; colorLight: string }): void {
    this.provider.awareness.setLocalStateField("user", user);
  }

  private notify(): void {
    const status = this.status;
    for (const listener of this.listeners) listener(status);
  }
}
