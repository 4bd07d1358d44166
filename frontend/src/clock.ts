// Estimate of the server clock from ping/pong round trips: offset = server - local.
// The sample with the smallest round trip is the most trustworthy (least queuing delay).
export interface ClockSample {
  offsetMs: number;
  rttMs: number;
}

export function sampleFromPong(sentAt: number, serverTime: number, receivedAt: number): ClockSample {
  const rttMs = receivedAt - sentAt;
  return { offsetMs: serverTime - (sentAt + rttMs / 2), rttMs };
}

export function bestOffset(samples: ClockSample[]): number {
  if (samples.length === 0) return 0;
  return samples.reduce((best, s) => (s.rttMs < best.rttMs ? s : best)).offsetMs;
}

/** The server's clock as seen from here: keeps the last few samples, trusts the tightest. */
export class ServerClock {
  private samples: ClockSample[] = [];

  constructor(
    private readonly keep = 8,
    private readonly localNow: () => number = () => Date.now(),
  ) {}

  /** A rough first guess (one-way trip unknown) until a ping/pong round trip is measured. */
  seed(serverTime: number): void {
    if (this.samples.length === 0) this.samples.push({ offsetMs: serverTime - this.localNow(), rttMs: 60_000 });
  }

  addPong(sentAt: number, serverTime: number, receivedAt = this.localNow()): void {
    this.samples.push(sampleFromPong(sentAt, serverTime, receivedAt));
    if (this.samples.length > this.keep) this.samples.shift();
  }

  get offsetMs(): number {
    return bestOffset(this.samples);
  }

  now(): number {
    return this.localNow() + this.offsetMs;
  }
}
