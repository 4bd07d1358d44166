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
