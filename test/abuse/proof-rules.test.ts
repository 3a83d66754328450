import { BASE_MAXNUMBER, difficultyFor, KNOWN_MAXNUMBER, MAX_MAXNUMBER, readSolution, saltParams } from '../../server/abuse/proof.rules';
import { combine } from '../../server/abuse/risk';
import { noProofSignal } from '../../server/abuse/signals/no-proof';
import { DEFAULT_RISK } from '../../server/abuse/thresholds';

const quiet = { approved: 0, network10m: 0, thread1m: 0 };
const encode = (p: unknown) => Buffer.from(JSON.stringify(p)).toString('base64');
const HEX = 'a'.repeat(64);

describe('proof-of-work rules', () => {
  it('cost: the base on a quiet thread, less for a known reader, more for a busy network or a hot thread, capped', () => {
    expect(difficultyFor(quiet, true)).toBe(BASE_MAXNUMBER);
    expect(difficultyFor({ ...quiet, approved: 1 }, true)).toBe(KNOWN_MAXNUMBER);
    expect(difficultyFor({ ...quiet, network10m: 3 }, true)).toBe(4 * BASE_MAXNUMBER);
    expect(difficultyFor({ ...quiet, network10m: 8 }, true)).toBe(MAX_MAXNUMBER);
    expect(difficultyFor({ ...quiet, thread1m: 10 }, true)).toBe(2 * BASE_MAXNUMBER);
    expect(difficultyFor({ ...quiet, thread1m: 30 }, true)).toBe(4 * BASE_MAXNUMBER);
    expect(difficultyFor({ approved: 0, network10m: 50, thread1m: 50 }, true)).toBe(MAX_MAXNUMBER);
    // PARLEY_RATE_LIMITS=off: no escalation, whatever the speeds.
    expect(difficultyFor({ approved: 0, network10m: 50, thread1m: 50 }, false)).toBe(BASE_MAXNUMBER);
  });

  it('reads a solution only when it has the shape of one', () => {
    const good = { algorithm: 'SHA-256', challenge: HEX, number: 12, salt: 'ab?t=x&expires=1&', signature: HEX };
    expect(readSolution(encode(good))).toEqual(good);
    for (const bad of [
      undefined,
      42,
      'not base64 json',
      encode({ ...good, algorithm: 'SHA-1' }),
      encode({ ...good, number: -1 }),
      encode({ ...good, number: 1.5 }),
      encode({ ...good, number: '12' }),
      encode({ ...good, challenge: 'zz' }),
      encode({ ...good, salt: 'x'.repeat(600) }),
      'A'.repeat(3000),
    ]) {
      expect(readSolution(bad)).toBeNull();
    }
  });

  it('finds the thread and the expiry in the salt', () => {
    expect(saltParams('abc?t=thread123&expires=1790000000&')).toEqual({ thread: 'thread123', expiresAt: new Date(1_790_000_000_000) });
    expect(saltParams('abc')).toEqual({ thread: null, expiresAt: null });
  });

  it('weighs a missing proof so that alone it holds nobody, and tips a comment another signal leans on', () => {
    const missing = noProofSignal('missing');
    expect(combine([missing]).score).toBeLessThan(DEFAULT_RISK.holdAt);
    expect(combine([{ code: 'near_duplicate', weight: 0.5, detail: '' }]).score).toBeLessThan(DEFAULT_RISK.holdAt);
    expect(combine([{ code: 'near_duplicate', weight: 0.5, detail: '' }, missing]).score).toBeGreaterThanOrEqual(DEFAULT_RISK.holdAt);
    // A signal under 0.385 stays under holdAt even without a proof.
    expect(combine([{ code: 'spam_link', weight: 0.38, detail: '' }, missing]).score).toBeLessThan(DEFAULT_RISK.holdAt);
  });
});
