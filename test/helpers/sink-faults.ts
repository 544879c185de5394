/**
 * Fault knobs for the recording SMTP sink (smtp-sink.ts), each a probability per transaction or
 * connection, as a flaky relay misbehaves: temporary and permanent refusals, a connection dropped
 * before or after the final dot, a stalled reply, a TLS session that dies at once.
 */

export interface SinkFaults {
  /** `451 4.3.0` after the final dot: the sender retries. */
  tempFail?: number;
  /** `550 5.1.1` to RCPT TO: the sender bounces with a notice. */
  permFail?: number;
  /** The connection closes mid-DATA: nothing kept, the sender retries. */
  dropBeforeDot?: number;
  /** The message is kept, the connection closes before the reply: a retry is a duplicate (RFC 1047). */
  dropAfterDot?: number;
  /** The reply to the final dot waits `stallMs`, then the message is accepted. */
  stall?: number;
  stallMs?: number;
  /** The connection closes right after the STARTTLS handshake (the sink must offer TLS). */
  tlsFail?: number;
  /** Seedable randomness for reproducible runs; Math.random by default. */
  random?: () => number;
}

export type DataFault = 'tempFail' | 'dropBeforeDot' | 'dropAfterDot' | 'stall';

/** How many of each fault the sink has injected so far. */
export type FaultCounts = Record<DataFault | 'permFail' | 'tlsFail', number>;

export function noFaults(): FaultCounts {
  return { tempFail: 0, permFail: 0, dropBeforeDot: 0, dropAfterDot: 0, stall: 0, tlsFail: 0 };
}

/** True with probability `rate`, counted in `counts` when it fires. */
export function fires(faults: SinkFaults, kind: 'permFail' | 'tlsFail', counts: FaultCounts): boolean {
  const hit = (faults.random ?? Math.random)() < (faults[kind] ?? 0);
  if (hit) counts[kind] += 1;
  return hit;
}

/** At most one DATA fault per transaction, drawn once over the cumulative rates. */
export function dataFault(faults: SinkFaults, counts: FaultCounts): DataFault | undefined {
  let draw = (faults.random ?? Math.random)();
  for (const kind of ['tempFail', 'dropBeforeDot', 'dropAfterDot', 'stall'] as const) {
    draw -= faults[kind] ?? 0;
    if (draw < 0) {
      counts[kind] += 1;
      return kind;
    }
  }
  return undefined;
}

/** A small seeded generator (mulberry32), so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
