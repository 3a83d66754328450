/**
 * The one clock every schedule compares against (batching, digests, retries, closing times,
 * retention, slow mode). Schedules pass `clock.now()` into SQL as a parameter instead of calling
 * the database's now(), so a test can move time without waiting. Signatures, webhook timestamps and
 * mail dates keep real time.
 */
export interface Clock {
  now(): Date;
}

/** Real time, moved by a fixed offset (PARLEY_TEST_CLOCK_OFFSET_MS, only under NODE_ENV=test) or by a test's `advance`. */
export interface AdjustableClock extends Clock {
  /** Moves this clock forward (or back, with a negative value) by ms; tests only. */
  advance(ms: number): void;
  offsetMs(): number;
}

export function createClock(offsetMs = 0): AdjustableClock {
  let offset = offsetMs;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
    offsetMs: () => offset,
  };
}

/** A time as the API writes it (ISO 8601), or null for none; raw SQL rows may bring it as a string. */
export function isoOrNull(d: Date | string | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}
