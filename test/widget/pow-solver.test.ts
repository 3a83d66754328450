import crypto from 'node:crypto';
import { solver } from '../../client/widget/pow-solver';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

describe('the widget’s proof-of-work search', () => {
  const search = solver();

  it('finds the number behind a challenge, whatever the salt’s length (one or two SHA-256 blocks)', () => {
    for (const salt of ['', 'a', 'x'.repeat(50), 'abcdef0123456789abcdef01?t=abcdefghij012345&expires=1790000000&', 'y'.repeat(118), 'z'.repeat(200)]) {
      for (const n of [0, 7, 9_999, 123_456]) {
        expect(search(salt, sha(salt + n), Math.max(0, n - 50), n + 50)).toBe(n);
      }
    }
  });

  it('answers -1 when the number is not in the range it was given', () => {
    const salt = 'deadbeef?t=abc&expires=1&';
    expect(search(salt, sha(salt + 500), 0, 500)).toBe(-1);
    expect(search(salt, sha(salt + 500), 501, 1000)).toBe(-1);
  });

  it('runs from its own source text alone, as the Web Worker runs it', () => {
    // The worker is given String(solver): it must refer to nothing outside itself.
    const rebuilt = new Function(`return (${String(solver)})()`)() as typeof search;
    const salt = 'cafe?t=thread&expires=2&';
    expect(rebuilt(salt, sha(salt + 4242), 0, 10_000)).toBe(4242);
  });
});
