import { createHash } from 'node:crypto';
import { hashSecret, newId, newSecret, randomBytes } from '../../server/ids';

/**
 * Ids and secrets come from a pool of random bytes refilled in one call. What a reader relies on:
 * every id and token is new, unguessable and in its documented form, across many refills of the pool.
 */
describe('ids and secrets', () => {
  it('never repeat, across many refills of the random pool, and use the whole alphabet evenly', () => {
    const ids = Array.from({ length: 50_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1000)) expect(id).toMatch(/^[0-9abcdefghjkmnpqrstvwxyz]{16}$/);
    const counts = new Map<string, number>();
    for (const id of ids) for (const ch of id) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (ids.length * 16) / 32;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.05);
  });

  it('gives each caller random bytes of its own, which later draws do not change', () => {
    const first = randomBytes(12);
    const copy = Buffer.from(first);
    const later = Array.from({ length: 1000 }, () => randomBytes(12));
    expect(first.equals(copy)).toBe(true);
    expect(new Set(later.map((b) => b.toString('hex'))).size).toBe(1000);
    expect(randomBytes(4096)).toHaveLength(4096);
  });

  it('makes tokens of 192 bits that are stored only as their SHA-256', () => {
    const token = newSecret('ct');
    expect(token).toMatch(/^ct_[A-Za-z0-9_-]{32}$/);
    expect(newSecret('ct')).not.toBe(token);
    expect(hashSecret('ct_abc')).toBe(createHash('sha256').update('ct_abc').digest('hex'));
  });
});
