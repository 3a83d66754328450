import crypto from 'node:crypto';
import { buildWidget } from '../../client/build';
import { OPTIONAL_BUDGET_BYTES } from '../../client/size';
import { solver } from '../../client/widget/pow-solver';
import { useParley } from '../helpers/parley';

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

describe('the proof-of-work module', () => {
  const parley = useParley();

  it(`is its own module of at most ${OPTIONAL_BUDGET_BYTES / 1024} KB gzipped, outside the thread page's budget, fetched by its stable name`, async () => {
    const build = await buildWidget();
    const pow = build.optional.find((a) => a.path === '/widget/pow.js')!;
    expect(pow.gzip.length).toBeLessThanOrEqual(OPTIONAL_BUDGET_BYTES);
    const embed = build.assets.get('/embed.js')!.body.toString();
    // embed.js knows only where to fetch it; the search itself is not in the first paint.
    expect(embed).toContain('"/widget/pow.js"');
    expect(embed).not.toContain('parley-pow');
    const res = await parley.http().get('/widget/pow.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    // Revalidated like embed.js (its name carries no hash), readable from publishers' pages.
    expect(res.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=86400');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});
