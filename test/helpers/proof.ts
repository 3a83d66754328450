import crypto from 'node:crypto';
import { type As, call } from './reader';
import type { TestParley } from './parley';

export interface Challenge {
  algorithm: 'SHA-256';
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

/** Solves a proof-of-work challenge as the widget does (SHA-256(salt + n) = challenge), and encodes it as a post's `altcha`. */
export function solve(c: Challenge, number?: number): string {
  let n = number ?? -1;
  if (number === undefined) {
    for (let i = 0; i <= c.maxnumber && n < 0; i++) if (crypto.createHash('sha256').update(c.salt + i).digest('hex') === c.challenge) n = i;
    if (n < 0) throw new Error('the challenge has no solution up to its maxnumber');
  }
  return Buffer.from(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature })).toString('base64');
}

/** A reader's challenge for a thread, fetched as they would (same token and network). */
export async function challengeFor(parley: TestParley, threadId: string, as: As = {}): Promise<Challenge | null> {
  const res = await call(parley, 'get', `/threads/${threadId}/challenge`, undefined, as);
  if (res.status !== 200) throw new Error(`challenge: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.challenge;
}

/** A solved proof of work for a post to the thread, as the widget would attach it. */
export async function proofFor(parley: TestParley, threadId: string, as: As = {}): Promise<string> {
  const challenge = await challengeFor(parley, threadId, as);
  if (!challenge) throw new Error('no challenge: this reader needs no proof of work');
  return solve(challenge);
}
