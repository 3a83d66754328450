import crypto from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Random bytes from a pool that one call to the system's generator refills. A call for every id
 * costs several times the id itself, and a post takes several (its comment, its reader, its token,
 * its idempotency claim). Every byte is handed out once; the pool is never reused.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let used = POOL_SIZE;

function take(n: number): number {
  if (used + n > POOL_SIZE) {
    crypto.randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

/** `n` random bytes of their own (a copy out of the pool), for keys, IVs and secrets. */
export function randomBytes(n: number): Buffer {
  if (n > POOL_SIZE / 4) return crypto.randomBytes(n);
  const at = take(n);
  return Buffer.from(pool.subarray(at, at + n));
}

/** A random id: 16 characters of Crockford base32, 80 bits; unguessable, URL-safe, no look-alikes. */
export function newId(): string {
  const at = take(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (let i = at; i < at + 10; i++) {
    value = ((value << 8) | pool[i]!) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** A secret for a browser or a server (`ct_…`, `sk_…`): 192 bits, returned once, stored only as a hash. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** SHA-256 in one call (no hash object to build and feed: this runs several times per post). */
export function sha256(value: string, encoding: 'hex' | 'base64url' = 'hex'): string {
  return crypto.hash('sha256', value, encoding);
}

/** Secrets carry 192 random bits, so a fast hash is enough: no dictionary can reach them. */
export function hashSecret(secret: string): string {
  return sha256(secret);
}
