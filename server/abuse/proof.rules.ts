import { NETWORK_BUSY, THREAD_BUSY } from './signals/speed';

/**
 * Proof of work (SPEC §11, §13), the pure part: how hard a challenge is, and reading a solution.
 *
 * A challenge (ALTCHA's first scheme, `altcha-lib/v1`) asks for the number n ≤ `maxnumber` with
 * SHA-256(salt + n) = challenge: on average the reader's browser hashes `maxnumber / 2` times. The
 * salt carries the thread and the expiry, and the server's HMAC signs the result, so a challenge
 * cannot be made up, moved to another thread or kept past its time.
 */

/** How long a challenge may be solved and used (app clock); the widget fetches a new one past 25 minutes. */
export const CHALLENGE_TTL_MS = 30 * 60_000;

/**
 * The work asked of a reader who looks like most readers (a new reader on a quiet thread, from a
 * quiet network): about 50,000 hashes on average, some 50 ms in the widget's Web Worker on a 2-core
 * server's CPU and well under a second on a slow phone, spent while the reader is still typing.
 */
export const BASE_MAXNUMBER = 100_000;
/** A reader the site has approved before (but not yet trusted) is asked for less. */
export const KNOWN_MAXNUMBER = 40_000;
/** Never more than this: about a second of work on a 2-core server's CPU, some seconds on a slow phone. */
export const MAX_MAXNUMBER = 2_000_000;
/** Posts from one network in ten minutes from which its challenges cost more. */
export const NETWORK_WARM = 3;
/** Posts in a thread in a minute from which its challenges cost more. */
export const THREAD_WARM = 10;

export interface ChallengeRisk {
  /** Approved comments the reader already has on the site (0 without a token). */
  approved: number;
  /** Posts from the reader's network on the site in the last ten minutes. */
  network10m: number;
  /** Posts in the thread in the last minute. */
  thread1m: number;
}

/**
 * The challenge's `maxnumber`: cheap on a quiet thread, rising with what the speed signals watch (a
 * busy network, a hot thread). With escalation off (`PARLEY_RATE_LIMITS=off`), everyone gets the base.
 */
export function difficultyFor(risk: ChallengeRisk, escalate: boolean): number {
  if (!escalate) return BASE_MAXNUMBER;
  let n = risk.approved > 0 ? KNOWN_MAXNUMBER : BASE_MAXNUMBER;
  if (risk.network10m >= NETWORK_BUSY) n *= 20;
  else if (risk.network10m >= NETWORK_WARM) n *= 4;
  if (risk.thread1m >= THREAD_BUSY) n *= 4;
  else if (risk.thread1m >= THREAD_WARM) n *= 2;
  return Math.min(n, MAX_MAXNUMBER);
}

/** A solution as the widget sends it: base64 of ALTCHA's JSON payload. */
export interface Solution {
  algorithm: 'SHA-256';
  challenge: string;
  number: number;
  salt: string;
  signature: string;
}

/** The payload in a post's `altcha`, or null when it is not one (never an error: it only weighs). */
export function readSolution(altcha: unknown): Solution | null {
  if (typeof altcha !== 'string' || altcha.length > 2000) return null;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(Buffer.from(altcha, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  if (!p || typeof p !== 'object') return null;
  const hex = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
  if (p.algorithm !== 'SHA-256' || !hex(p.challenge) || !hex(p.signature)) return null;
  if (typeof p.salt !== 'string' || p.salt.length > 500) return null;
  if (typeof p.number !== 'number' || !Number.isInteger(p.number) || p.number < 0 || p.number > MAX_MAXNUMBER) return null;
  return { algorithm: 'SHA-256', challenge: p.challenge as string, number: p.number, salt: p.salt, signature: p.signature as string };
}

/** The thread and expiry the salt carries (`<random>?t=<thread>&expires=<seconds>&`). */
export function saltParams(salt: string): { thread: string | null; expiresAt: Date | null } {
  const params = new URLSearchParams(salt.split('?')[1] ?? '');
  const seconds = Number(params.get('expires'));
  return { thread: params.get('t'), expiresAt: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : null };
}
