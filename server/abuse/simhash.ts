import { fold } from '../moderation/pipeline/words';

/** A 64-bit SimHash as four 16-bit bands. */
export type Fingerprint = [number, number, number, number];

/** Bits that may differ between two texts still read as "nearly the same". */
export const NEAR_BITS = 3;

function fnv1a32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Charikar's SimHash over the folded text's word triples (and words, for very short texts): texts
 * that differ by a word or two, spacing, case, look-alike letters or markup land a few bits apart.
 * With at most NEAR_BITS of 64 bits apart, two fingerprints share at least one 16-bit band
 * whole, so the database finds candidates by an indexed band and this module confirms them.
 */
export function simhash(text: string): Fingerprint {
  const words = fold(text.slice(0, 4_000)).text.split(' ').filter(Boolean);
  const shingles: string[] = [];
  for (let i = 0; i + 3 <= words.length; i++) shingles.push(words.slice(i, i + 3).join(' '));
  if (shingles.length < 3) shingles.push(...words);
  const v = new Int32Array(64);
  for (const s of shingles) {
    const lo = fnv1a32(s, 0x811c9dc5);
    const hi = fnv1a32(s, 0x9747b28c);
    for (let bit = 0; bit < 32; bit++) {
      v[bit]! += (lo >>> bit) & 1 ? 1 : -1;
      v[bit + 32]! += (hi >>> bit) & 1 ? 1 : -1;
    }
  }
  const bands: Fingerprint = [0, 0, 0, 0];
  for (let bit = 0; bit < 64; bit++) if (v[bit]! > 0) bands[bit >> 4] |= 1 << (bit & 15);
  return bands;
}

function popcount16(x: number): number {
  let n = 0;
  for (let y = x & 0xffff; y; y &= y - 1) n++;
  return n;
}

export function distance(a: Fingerprint, b: Fingerprint): number {
  return popcount16(a[0] ^ b[0]) + popcount16(a[1] ^ b[1]) + popcount16(a[2] ^ b[2]) + popcount16(a[3] ^ b[3]);
}

export const isNear = (a: Fingerprint, b: Fingerprint) => distance(a, b) <= NEAR_BITS;
