import crypto from 'node:crypto';
import type * as Altcha from 'altcha-lib/v1' with { 'resolution-mode': 'import' };
import type { Clock } from '../clock';
import type { Db } from '../db';
import { errors } from '../errors';
import * as repo from './proof.repo';
import { CHALLENGE_TTL_MS, difficultyFor, readSolution, saltParams, type Solution } from './proof.rules';
import { isTrusted, TRUST_DAYS } from './risk';

// altcha-lib ships CommonJS beside its ES modules, but its type declarations are ES modules only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const altcha: typeof Altcha = require('altcha-lib/v1');

/** What a post's `altcha` proved: a valid one adds nothing to the risk; the others add `no_proof`. */
export type ProofStatus = 'valid' | 'missing' | 'invalid';

/** The challenge as `GET /threads/:id/challenge` hands it out (ALTCHA's v1 challenge). */
export interface ChallengeView {
  algorithm: 'SHA-256';
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

/**
 * The signing secret, read from the database once per process (`pow_keys`, shared by every
 * instance) and combined with PARLEY_SECRET when it is set, so a copy of the database alone cannot
 * sign challenges.
 */
export interface ProofKeys {
  current(db: Db): Promise<string>;
  /** Reads the secret again (at most every 10 s); null when it did not change. */
  reload(db: Db): Promise<string | null>;
  /** Forgets the cached secret (tests empty the database between cases). */
  forget(): void;
}

const RELOAD_EVERY_MS = 10_000;

export function createProofKeys(pepper?: string): ProofKeys {
  let cached: Promise<string> | undefined;
  let loadedAt = 0;
  const derive = (stored: string) => (pepper ? crypto.createHmac('sha256', pepper).update(`parley altcha\0${stored}`).digest('base64') : stored);
  const load = (db: Db) => {
    loadedAt = Date.now();
    const p = repo.signingSecret(db).then(derive);
    p.catch(() => {
      if (cached === p) cached = undefined;
    });
    return (cached = p);
  };
  return {
    current: (db) => cached ?? load(db),
    async reload(db) {
      if (Date.now() - loadedAt < RELOAD_EVERY_MS) return null;
      const before = await cached?.catch(() => undefined);
      const after = await load(db);
      return after === before ? null : after;
    },
    forget() {
      cached = undefined;
      loadedAt = 0;
    },
  };
}

export interface ProofDeps {
  db: Db;
  clock: Clock;
  /** Off with PARLEY_RATE_LIMITS=off: every challenge costs the base (SPEC §13). */
  speedSignals: boolean;
  proofKeys?: ProofKeys;
}

/** Who asks for a challenge: a reader (maybe with a token), or the publisher's server with its key. */
export interface Challenger {
  commenterId: string | null;
  ipHash: string | null;
  /** The site of the request's `sk_` key, if it carried a valid one. */
  apiKeySiteId?: string | null;
}

const HOUR_MS = 3_600_000;

/**
 * A challenge for a post to this thread, or null when the caller needs none: a trusted reader
 * (SPEC §11) or the site's own API key. Its cost rises with the risk the speed signals see.
 */
export async function issueChallenge(deps: ProofDeps, who: Challenger, threadId: string): Promise<{ challenge: ChallengeView | null }> {
  const now = deps.clock.now().getTime();
  const context = await repo.challengeContext(deps.db, {
    threadId,
    commenterId: who.commenterId,
    ipHash: who.ipHash,
    networkStart: new Date(now - 10 * 60_000),
    threadStart: new Date(now - 60_000),
    trustStart: new Date(now - TRUST_DAYS * 24 * HOUR_MS),
  });
  if (!context) throw errors.notFound('The thread');
  if (!deps.proofKeys || (who.apiKeySiteId && who.apiKeySiteId === context.site_id)) return { challenge: null };
  if (who.commenterId && isTrusted({ approvedCount: context.approved, takenDownRecently: context.taken_down })) return { challenge: null };
  const maxnumber = difficultyFor(context, deps.speedSignals);
  const made = await altcha.createChallenge({
    hmacKey: await deps.proofKeys.current(deps.db),
    algorithm: 'SHA-256',
    maxnumber,
    // 32 hex characters: with the thread and the expiry, the salt fills SHA-256's first block, which the
    // widget then hashes once rather than for every candidate.
    saltLength: 16,
    expires: new Date(now + CHALLENGE_TTL_MS),
    params: { t: threadId },
  });
  return { challenge: { algorithm: 'SHA-256', challenge: made.challenge, maxnumber, salt: made.salt, signature: made.signature } };
}

/**
 * What a post's `altcha` proves for this thread. Valid: signed by this server, for this thread, not
 * expired (app clock), solved, and never used before on any instance (the first post that shows it
 * claims it). Anything else is never a refusal (SPEC §13): the risk phase weighs it.
 */
export async function checkProof(deps: ProofDeps, threadId: string, given: unknown): Promise<ProofStatus> {
  if (given === undefined || given === null || given === '') return 'missing';
  if (!deps.proofKeys) return 'invalid';
  const solution = readSolution(given);
  if (!solution) return 'invalid';
  const { thread, expiresAt } = saltParams(solution.salt);
  if (thread !== threadId || !expiresAt || expiresAt.getTime() <= deps.clock.now().getTime()) return 'invalid';
  if (!(await signedAndSolved(deps, deps.proofKeys, solution))) return 'invalid';
  return (await repo.claimChallenge(deps.db, solution.challenge, expiresAt)) ? 'valid' : 'invalid';
}

async function signedAndSolved(deps: ProofDeps, keys: ProofKeys, solution: Solution): Promise<boolean> {
  // Expiry is checked above against the app's clock, not the library's.
  const check = (key: string) => altcha.verifySolution(solution, key, false).catch(() => false);
  if (await check(await keys.current(deps.db))) return true;
  // The secret changed under this process (a database restored or emptied): read it once more.
  const fresh = await keys.reload(deps.db);
  return fresh !== null && check(fresh);
}

/** Retention: claims of challenges expired a while ago (they are refused for their age alone). */
export function pruneUsedChallenges(db: Db, now: Date): Promise<number> {
  return repo.pruneUsed(db, new Date(now.getTime() - HOUR_MS));
}
