// The code at any point of the recording, replayed in the browser from the Yjs update log.
//
// Position p means "the first p updates of the log applied". The log is applied once, to one
// Y.Doc, when the page loads; each update's effect on each question's text is kept as a
// delta (retain/insert/delete), and every `every` updates the texts and their authors are
// kept as plain strings. Seeking anywhere then costs one such checkpoint plus fewer than
// `every` deltas applied to a string: no Yjs work at all, so scrubbing a long room is instant.
import * as Y from "yjs";
import { countAtOrBefore, toMs } from "./time";
import type { LogCheckpoint, LogUpdate } from "./types";

export interface AuthorSpan {
  from: number;
  to: number;
  seat: number | null;
}

interface Op {
  retain?: number;
  insert?: string;
  delete?: number;
}

/** What one update did to one text. */
interface Step {
  text: number;
  ops: Op[];
}

/** A text and who inserted each run of it. */
interface TextState {
  text: string;
  runs: { length: number; seat: number | null }[];
}

export interface ReplayOptions {
  /** Names of the Y.Texts to follow (one per question). */
  texts: string[];
  /** Stored full states; one older than every update given is the state the log starts from. */
  checkpoints?: LogCheckpoint[];
  every?: number;
}

export function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Visible characters to the right of `item`. */
function lengthAfter(item: Y.Item): number {
  let n = 0;
  for (let right = item.right as Y.Item | null; right !== null; right = right.right as Y.Item | null) {
    if (!right.deleted && right.countable) n += right.length;
  }
  return n;
}

/**
 * The change to `text` as ops, found from the item(s) the transaction touched: typing and
 * deleting happen mostly near the end, so this walks a few items where Yjs's own
 * `event.delta` walks the whole text for every update. Returns null when the transaction is
 * not one plain insert or one plain delete (the caller then asks Yjs).
 */
export function quickOps(event: Y.YTextEvent): Op[] | null {
  const tr = event.transaction;
  const text = event.target;
  const store = tr.doc.store;
  let added: Y.Item | null = null;
  for (const [client, after] of tr.afterState) {
    const before = tr.beforeState.get(client) ?? 0;
    if (after <= before) continue;
    if (added) return null;
    const item = Y.getItem(store, Y.createID(client, before));
    if (!(item instanceof Y.Item) || item.length !== after - before) return null;
    added = item;
  }
  const ranges = [...tr.deleteSet.clients].flatMap(([client, list]) => list.map((d) => ({ client, ...d })));
  if (added && ranges.length === 0) {
    if (added.parent !== text || added.deleted || !(added.content instanceof Y.ContentString)) return null;
    const pos = text.length - lengthAfter(added) - added.length;
    return [...(pos ? [{ retain: pos }] : []), { insert: added.content.str }];
  }
  if (!added && ranges.length === 1) {
    const { client, clock, len } = ranges[0];
    const last = Y.getItem(store, Y.createID(client, clock + len - 1));
    const first = Y.getItem(store, Y.createID(client, clock));
    if (!(last instanceof Y.Item) || last.parent !== text || first.parent !== text) return null;
    // One client's contiguous clocks: check they are one contiguous run of the text.
    let count = 0;
    for (let item: Y.Item | null = first; item !== null; item = item.right as Y.Item | null) {
      if (item.id.client !== client || !(item.content instanceof Y.ContentString)) return null;
      count += item.length;
      if (item === last) break;
    }
    if (count !== len) return null;
    const pos = text.length - lengthAfter(last);
    return [...(pos ? [{ retain: pos }] : []), { delete: len }];
  }
  return null;
}

function applyOps(state: TextState, ops: Op[], seat: number | null): void {
  let pos = 0;
  for (const op of ops) {
    if (op.retain) pos += op.retain;
    else if (op.insert) {
      state.text = state.text.slice(0, pos) + op.insert + state.text.slice(pos);
      insertRun(state.runs, pos, op.insert.length, seat);
      pos += op.insert.length;
    } else if (op.delete) {
      state.text = state.text.slice(0, pos) + state.text.slice(pos + op.delete);
      deleteRuns(state.runs, pos, op.delete);
    }
  }
}

function insertRun(runs: TextState["runs"], pos: number, length: number, seat: number | null): void {
  let start = 0;
  for (let i = 0; i <= runs.length; i++) {
    const run = runs[i];
    if (run && pos > start + run.length) {
      start += run.length;
      continue;
    }
    // pos is inside run i, or at its end, or past the last run.
    if (run && run.seat === seat) {
      run.length += length;
    } else if (run && pos === start + run.length && runs[i + 1]?.seat === seat) {
      runs[i + 1].length += length;
    } else if (run && pos < start + run.length && pos > start) {
      const tail = start + run.length - pos;
      run.length = pos - start;
      runs.splice(i + 1, 0, { length, seat }, { length: tail, seat: run.seat });
    } else {
      runs.splice(run && pos === start ? i : i + 1, 0, { length, seat });
    }
    return;
  }
}

function deleteRuns(runs: TextState["runs"], pos: number, length: number): void {
  let start = 0;
  let i = 0;
  while (i < runs.length && length > 0) {
    const run = runs[i];
    const end = start + run.length;
    if (pos >= end) {
      start = end;
      i++;
      continue;
    }
    const cut = Math.min(end, pos + length) - pos;
    run.length -= cut;
    length -= cut;
    if (run.length === 0) runs.splice(i, 1);
    else {
      start += run.length;
      i++;
    }
  }
  // Neighbours that now touch and share a seat become one run.
  for (let j = runs.length - 1; j > 0; j--) {
    if (runs[j].seat === runs[j - 1].seat) {
      runs[j - 1].length += runs[j].length;
      runs.splice(j, 1);
    }
  }
}

function copyState(state: TextState): TextState {
  return { text: state.text, runs: state.runs.map((r) => ({ ...r })) };
}

export class Replay {
  /** `at` of each update, never decreasing. */
  readonly times: number[];
  /** Who made each update: a seat, or null for the server (starter code: nobody typed it). */
  readonly seats: (number | null)[];
  private readonly names: string[];
  private readonly steps: Step[][] = [];
  private readonly checkpoints: TextState[][] = [];
  private states: TextState[];
  private at = 0;

  constructor(updates: LogUpdate[], private readonly options: ReplayOptions) {
    const every = options.every ?? 500;
    const sorted = [...updates].sort((a, b) => a.id - b.id);
    let latest = -Infinity;
    this.times = sorted.map((u) => (latest = Math.max(latest, toMs(u.at) ?? latest)));
    const bytes = sorted.map((u) => fromBase64(u.data));
    this.seats = sorted.map((u) => u.seat);
    this.names = options.texts;

    const doc = new Y.Doc();
    const firstId = sorted.length ? sorted[0].id : Infinity;
    const base = (options.checkpoints ?? []).filter((c) => c.upto < firstId).sort((a, b) => b.upto - a.upto)[0];
    if (base) Y.applyUpdate(doc, fromBase64(base.data));
    const texts = this.names.map((name) => doc.getText(name));
    this.states = texts.map((t) => ({ text: t.toString(), runs: t.length ? [{ length: t.length, seat: null }] : [] }));
    let current: Step[] = [];
    texts.forEach((t, index) => t.observe((event) => current.push({ text: index, ops: quickOps(event) ?? (event.delta as Op[]) })));
    const live = this.states.map(copyState);
    this.checkpoints.push(live.map(copyState));
    bytes.forEach((update, i) => {
      current = [];
      Y.applyUpdate(doc, update);
      this.steps.push(current);
      for (const step of current) applyOps(live[step.text], step.ops, this.seats[i]);
      if ((i + 1) % every === 0) this.checkpoints.push(live.map(copyState));
    });
    doc.destroy();
  }

  get length(): number {
    return this.steps.length;
  }

  get position(): number {
    return this.at;
  }

  /** How many updates happened at or before `ms`. */
  positionAt(ms: number): number {
    return countAtOrBefore(this.times, ms);
  }

  /** Move to position `p` (clamped to the log). */
  seek(p: number): void {
    const every = this.options.every ?? 500;
    const target = Math.max(0, Math.min(this.steps.length, Math.floor(p)));
    if (target < this.at || target - this.at > every) {
      const k = Math.floor(target / every);
      this.states = this.checkpoints[k].map(copyState);
      this.at = k * every;
    }
    for (let i = this.at; i < target; i++) {
      for (const step of this.steps[i]) applyOps(this.states[step.text], step.ops, this.seats[i]);
    }
    this.at = target;
  }

  text(name: string): string {
    const index = this.names.indexOf(name);
    return index < 0 ? "" : this.states[index].text;
  }

  /** Who inserted each run of the text's characters, in order. */
  authors(name: string): AuthorSpan[] {
    const index = this.names.indexOf(name);
    if (index < 0) return [];
    let pos = 0;
    return this.states[index].runs.map((run) => {
      const span = { from: pos, to: pos + run.length, seat: run.seat };
      pos += run.length;
      return span;
    });
  }
}

/** The reference: the texts after the first `p` updates, replayed into an empty document. */
export function replayFromScratch(updates: LogUpdate[], p: number, names: string[]): string[] {
  const doc = new Y.Doc();
  const sorted = [...updates].sort((a, b) => a.id - b.id).slice(0, p);
  for (const u of sorted) Y.applyUpdate(doc, fromBase64(u.data));
  const texts = names.map((n) => doc.getText(n).toString());
  doc.destroy();
  return texts;
}
