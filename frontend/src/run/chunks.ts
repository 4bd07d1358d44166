// Which output chunks of a run a console still has to print. A run's output reaches a page two
// ways: numbered `run.output` frames as it is printed, and the room's state (what it printed
// so far, for a page that joins or comes back mid-run). A chunk can come both ways: it is
// printed once, in order.

export type Chunk = [stream: string, data: string];

export class ChunkCursor {
  private next = 0; // the number of the next chunk to print

  /** Start over, for a new run. */
  reset(): void {
    this.next = 0;
  }

  /** Whether a live frame's chunk is new (a frame without a number always is). */
  take(seq: unknown): boolean {
    if (typeof seq !== "number") return true;
    if (seq < this.next) return false;
    this.next = seq + 1;
    return true;
  }

  /** The chunks of the state's output not printed yet. */
  missing(output: unknown): Chunk[] {
    if (!Array.isArray(output)) return [];
    const fresh = output.slice(this.next) as Chunk[];
    this.next = Math.max(this.next, output.length);
    return fresh;
  }
}
