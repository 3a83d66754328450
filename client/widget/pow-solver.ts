/**
 * The proof of work's search (SPEC §11): the number n in [from, to) with SHA-256(salt + n) equal to
 * the challenge (hex), or -1. SHA-256 is written out here rather than taken from `crypto.subtle`:
 * one digest per candidate through a promise costs more than the hash itself, and `crypto.subtle`
 * exists only on secure pages.
 *
 * Everything lives inside this one function, with no reference to anything outside it, because the
 * Web Worker runs its source text as is (`String(solver)`, see pow.ts): the main thread, when a
 * worker cannot be made, calls the same code.
 */
export function solver(): (salt: string, challenge: string, from: number, to: number) => number {
  // The first 32 bits of the fractional parts of the square roots (initial state) and cube roots
  // (round constants) of the first primes, as the standard defines them.
  const primes: number[] = [];
  for (let p = 2; primes.length < 64; p++) if (primes.every((q) => p % q)) primes.push(p);
  const frac = (x: number) => ((x - Math.floor(x)) * 2 ** 32) | 0;
  const K = Int32Array.from(primes, (p) => frac(Math.cbrt(p)));
  const INIT = Int32Array.from(primes.slice(0, 8), (p) => frac(Math.sqrt(p)));
  const w = new Int32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  /** Runs the compression function over the 64-byte blocks of `bytes` in [start, end), moving `h`. */
  const compress = (h: Int32Array, bytes: Uint8Array, start: number, end: number) => {
    for (let b = start; b < end; b += 64) {
      for (let i = 0; i < 16; i++) w[i] = (bytes[b + 4 * i] << 24) | (bytes[b + 4 * i + 1] << 16) | (bytes[b + 4 * i + 2] << 8) | bytes[b + 4 * i + 3];
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15];
        const y = w[i - 2];
        w[i] = (w[i - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + w[i - 7] + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10))) | 0;
      }
      let a = h[0], c1 = h[1], c2 = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (let i = 0; i < 64; i++) {
        const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & c1) ^ (a & c2) ^ (c1 & c2))) | 0;
        k = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c2;
        c2 = c1;
        c1 = a;
        a = (t1 + t2) | 0;
      }
      h[0] += a;
      h[1] += c1;
      h[2] += c2;
      h[3] += d;
      h[4] += e;
      h[5] += f;
      h[6] += g;
      h[7] += k;
    }
  };

  return (salt, challenge, from, to) => {
    const target = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7], (i) => parseInt(challenge.slice(i * 8, i * 8 + 8), 16) | 0);
    // Room for the salt, any number, the 0x80 marker and the length: whole 64-byte blocks.
    const bytes = new Uint8Array((((salt.length + 30) >> 6) + 1) * 64);
    for (let i = 0; i < salt.length; i++) bytes[i] = salt.charCodeAt(i);
    // The blocks made of the salt alone are the same for every candidate: hashed once.
    const fixed = (salt.length >> 6) * 64;
    const mid = INIT.slice();
    compress(mid, bytes, 0, fixed);
    const h = new Int32Array(8);
    for (let n = from; n < to; n++) {
      const digits = String(n);
      const length = salt.length + digits.length;
      const end = ((length + 72) >> 6) * 64;
      bytes.fill(0, salt.length, end);
      for (let i = 0; i < digits.length; i++) bytes[salt.length + i] = digits.charCodeAt(i);
      bytes[length] = 0x80;
      bytes[end - 2] = (length * 8) >>> 8;
      bytes[end - 1] = (length * 8) & 255;
      h.set(mid);
      compress(h, bytes, fixed, end);
      let i = 0;
      while (i < 8 && h[i] === target[i]) i++;
      if (i === 8) return n;
    }
    return -1;
  };
}
