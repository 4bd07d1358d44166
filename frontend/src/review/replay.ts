// The document at any point of the recording: Yjs updates replayed in the browser.
//
// Position p means "the first p updates of the log applied". Seeking forward applies the
// updates in between; seeking backwards (or far ahead) restarts from the nearest in-memory
// checkpoint, taken every `every` updates when the log loads, so any seek in a long room
// costs one checkpoint load plus fewer than `every` updates.
import * as Y from "yjs";
import { countAtOrBefore, toMs } from "./time";
import type { LogCheckpoint, LogUpdate } from "./types";

export interface AuthorSpan {
  from: number;
  to: number;
  seat: number | null;
}

export function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class Replay {
  /** `at` of each update, never decreasing. */
  readonly times: number[];
  /** The seat that sent each update (null: the server, e.g. no seat recorded). */
  readonly seats: (number | null)[];
  /** Yjs client id -> the seat whose updates first carried it: who typed each character. */
  readonly clientSeats = new Map<number, number | null>();
  /** The Yjs clients whose structs each update carries. */
  private readonly clients: number[][];
  private readonly updates: Uint8Array[];
  private readonly base: Uint8Array | null;
  private readonly checkpoints: Uint8Array[] = [];
  private doc = new Y.Doc();
  private at = 0;
  private listeners: (() => void)[] = [];

  constructor(
    updates: LogUpdate[],
    serverCheckpoints: LogCheckpoint[] = [],
    private readonly every = 500,
  ) {
    const sorted = [...updates].sort((a, b) => a.id - b.id);
    this.updates = sorted.map((u) => fromBase64(u.data));
    this.seats = sorted.map((u) => u.seat);
    let latest = -Infinity;
    this.times = sorted.map((u) => (latest = Math.max(latest, toMs(u.at) ?? latest)));
    // A server checkpoint older than every update given is the state the log starts from.
    // (Applying a checkpoint that repeats updates is harmless: Yjs updates are idempotent.)
    const firstId = sorted.length ? sorted[0].id : Infinity;
    const base = serverCheckpoints.filter((c) => c.upto < firstId).sort((a, b) => b.upto - a.upto)[0];
    this.base = base ? fromBase64(base.data) : null;
    this.clients = this.updates.map((update) => [...Y.parseUpdateMeta(update).to.keys()]);
    this.indexClients();
    this.buildCheckpoints();
  }

  get length(): number {
    return this.updates.length;
  }

  get position(): number {
    return this.at;
  }

  /** How many updates happened at or before `ms`. */
  positionAt(ms: number): number {
    return countAtOrBefore(this.times, ms);
  }

  /** Move the document to position `p` (clamped to the log) and return it. */
  seek(p: number): Y.Doc {
    const target = Math.max(0, Math.min(this.updates.length, Math.floor(p)));
    if (target === this.at) return this.doc;
    if (target < this.at || target - this.at > this.every) {
      const k = Math.floor(target / this.every);
      this.doc.destroy();
      this.doc = new Y.Doc();
      Y.applyUpdate(this.doc, this.checkpoints[k]);
      this.at = k * this.every;
    }
    Y.transact(this.doc, () => {
      for (let i = this.at; i < target; i++) Y.applyUpdate(this.doc, this.updates[i]);
    });
    this.at = target;
    for (const listener of this.listeners) listener();
    return this.doc;
  }

  onSeek(listener: () => void): void {
    this.listeners.push(listener);
  }

  text(name: string): string {
    return this.doc.getText(name).toString();
  }

  /** Who inserted each run of the text's visible characters, in order. */
  authors(name: string): AuthorSpan[] {
    const spans: AuthorSpan[] = [];
    let pos = 0;
    for (let item = this.doc.getText(name)._start; item !== null; item = item.right as Y.Item | null) {
      if (item.deleted || !item.countable) continue;
      const seat = this.clientSeats.get(item.id.client) ?? null;
      const last = spans[spans.length - 1];
      if (last && last.seat === seat && last.to === pos) last.to += item.length;
      else spans.push({ from: pos, to: pos + item.length, seat });
      pos += item.length;
    }
    return spans;
  }

  /**
   * Credit starter code to nobody. The server inserts it when a question is first shown, from
   * a document of its own (a client id used for that one update), logged under the seat that
   * showed the question: an update like that within `windowMs` of a `question.shown` by the
   * same seat is the server's, not that person's typing. Returns how many were found.
   */
  creditStarterCode(shown: { at: number; seat: number | null }[], windowMs = 2000): number {
    const uses = new Map<number, number>();
    for (const list of this.clients) for (const client of list) uses.set(client, (uses.get(client) ?? 0) + 1);
    let found = 0;
    this.clients.forEach((list, i) => {
      const seat = this.seats[i];
      if (seat === null || list.length !== 1 || uses.get(list[0]) !== 1) return;
      if (!shown.some((s) => s.seat === seat && Math.abs(s.at - this.times[i]) <= windowMs)) return;
      this.seats[i] = null;
      this.clientSeats.set(list[0], null);
      found++;
    });
    return found;
  }

  private indexClients(): void {
    this.clients.forEach((list, i) => {
      for (const client of list) if (!this.clientSeats.has(client)) this.clientSeats.set(client, this.seats[i]);
    });
  }

  private buildCheckpoints(): void {
    const doc = new Y.Doc();
    if (this.base) Y.applyUpdate(doc, this.base);
    this.checkpoints.push(Y.encodeStateAsUpdate(doc));
    for (let i = 0; i < this.updates.length; i++) {
      Y.applyUpdate(doc, this.updates[i]);
      if ((i + 1) % this.every === 0) this.checkpoints.push(Y.encodeStateAsUpdate(doc));
    }
    doc.destroy();
    Y.applyUpdate(this.doc, this.checkpoints[0]);
  }
}
