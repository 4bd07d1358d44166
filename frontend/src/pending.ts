// The edits typed in this browser that no server has yet, and how many. The room's local copy
// (IndexedDB) holds them too, but it writes in the background, and a tab closed right after
// the last keystroke drops the writes still under way. localStorage is written at once, even
// while the page unloads: the pending edits sit here, merged into one Yjs update, until the
// server has them. Shared by the seat's tabs, so a page loaded after a reload or a closed tab,
// and every other tab of the seat, tells the same truth.
import * as Y from "yjs";

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface Stored {
  count: number;
  update: Uint8Array | null;
}

const NOTHING: Stored = { count: 0, update: null };
// Writing merges and encodes every pending edit: done at most this often while typing, and
// when the page is hidden or unloaded (save()).
export const SAVE_EVERY_MS = 500;

export class PendingEdits {
  private unsaved: Uint8Array[] = [];
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private memory: Stored = NOTHING;
  private inMemory: boolean; // storage refused (privacy settings, quota): kept here instead

  constructor(
    private readonly store: KeyValueStore | null,
    readonly key: string,
  ) {
    this.inMemory = store === null;
  }

  get count(): number {
    return this.read().count + this.unsaved.length;
  }

  /** Every pending edit of the seat in this browser, as one update (null: none). */
  get update(): Uint8Array | null {
    return this.withUnsaved(this.read()).update;
  }

  /** An edit was typed while the document channel was down. */
  add(update: Uint8Array): void {
    this.unsaved.push(update);
    this.saveTimer ??= setTimeout(() => this.save(), SAVE_EVERY_MS);
  }

  /** Writes what was typed since the last write (the page calls it when hidden or unloaded). */
  save(): void {
    this.cancelSave();
    if (!this.unsaved.length) return;
    this.write(this.withUnsaved(this.read()));
    this.unsaved = [];
  }

  /** Every pending edit has been handed to the server, or never can be (the room ended). */
  clear(): void {
    this.cancelSave();
    this.unsaved = [];
    this.write(NOTHING);
  }

  private withUnsaved(stored: Stored): Stored {
    if (!this.unsaved.length) return stored;
    const updates = stored.update ? [stored.update, ...this.unsaved] : this.unsaved;
    return { count: stored.count + this.unsaved.length, update: Y.mergeUpdates(updates) };
  }

  private cancelSave(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }

  private read(): Stored {
    if (this.inMemory) return this.memory;
    try {
      return decode(this.store!.getItem(this.key));
    } catch {
      this.inMemory = true;
      return this.memory;
    }
  }

  private write(value: Stored): void {
    this.memory = value;
    if (this.inMemory) return;
    try {
      if (value.count > 0) this.store!.setItem(this.key, encode(value));
      else this.store!.removeItem(this.key);
    } catch {
      this.inMemory = true;
    }
  }
}

function encode(value: Stored): string {
  const bytes = value.update ?? new Uint8Array();
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return JSON.stringify({ count: value.count, update: btoa(binary) });
}

function decode(text: string | null): Stored {
  if (!text) return NOTHING;
  try {
    const { count, update } = JSON.parse(text) as { count: unknown; update: unknown };
    if (!Number.isInteger(count) || (count as number) <= 0 || typeof update !== "string") return NOTHING;
    const bytes = Uint8Array.from(atob(update), (c) => c.charCodeAt(0));
    return { count: count as number, update: bytes.length ? bytes : null };
  } catch {
    return NOTHING; // not ours, or damaged: nothing we could apply
  }
}
