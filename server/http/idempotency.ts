import type { Request, Response } from 'express';
import type { ReaderActor } from '../actors';
import type { Tx } from '../db';
import type { Deps } from '../deps';
import {
  type Claimed,
  claimKey,
  type EarlyClaim,
  earlyClaim,
  fingerprint,
  NotClaimed,
  type Reply,
  validateKey,
} from '../idempotency/idempotency.service';

export type { Reply } from '../idempotency/idempotency.service';

/** Stores the reply with the write, inside the write's transaction (a no-op without a key). */
export type Seal = (trx: Tx, reply: Reply) => Promise<void>;

/** Idempotency keys belong to a commenter, or to a hashed network before the first token exists. */
export function scopeOf(actor: Pick<ReaderActor, 'commenter' | 'ipHash'>): string {
  if (actor.commenter) return `c:${actor.commenter.id}`;
  if (actor.ipHash) return `n:${actor.ipHash}`;
  return 'anonymous';
}

function send(res: Response, reply: Reply): void {
  res.status(reply.status).json(reply.body);
}

/**
 * Runs a reader write under the request's `Idempotency-Key`, if it sent one. The handler computes
 * the reply and passes `seal` to the service, which calls it inside its transaction.
 *
 * A handler that reads before it writes may take the claim in that read (`early`, see EarlyClaim):
 * it gets the claim to embed, and a key that was not free sends the request the usual way.
 */
export async function sendIdempotent(
  deps: Deps,
  req: Request,
  res: Response,
  scope: string,
  handler: (seal: Seal, early?: EarlyClaim) => Promise<Reply>,
  options: { early?: boolean } = {},
): Promise<void> {
  const header = req.get('idempotency-key');
  if (header === undefined) {
    send(res, await handler(async () => {}));
    return;
  }
  const request = { scope, key: validateKey(header), fingerprint: fingerprint(req.method, req.baseUrl + req.path, req.body) };
  if (options.early) {
    const early = earlyClaim(deps.db, request);
    try {
      await runClaimed(deps, res, () => early.claim, (seal) => handler(seal, early));
      return;
    } catch (err) {
      if (!(err instanceof NotClaimed)) throw err;
    }
  }
  const claim = await claimKey(deps.db, request);
  if (claim.kind === 'replay') {
    res.setHeader('Idempotent-Replayed', 'true');
    send(res, claim.reply);
    return;
  }
  await runClaimed(deps, res, () => claim, handler);
}

/** Runs the handler under a claim (taken before, or by the handler's first read) and sends its reply. */
async function runClaimed(deps: Deps, res: Response, claim: () => Claimed | undefined, handler: (seal: Seal) => Promise<Reply>): Promise<void> {
  let sealed = false;
  try {
    const reply = await handler(async (trx, r) => {
      await claimOf(claim).seal(trx, r);
      sealed = true;
    });
    if (!sealed) await claimOf(claim).finish(reply);
    send(res, reply);
  } catch (err) {
    // The write rolled back: free the key so the client's retry runs again.
    const taken = claim();
    if (taken) await releaseSoon(deps, taken);
    throw err;
  }
}

function claimOf(claim: () => Claimed | undefined): Claimed {
  const taken = claim();
  if (!taken) throw new Error('An early idempotency claim was never taken: the handler must take it in its first read.');
  return taken;
}

const RELEASE_RETRIES_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

/**
 * Frees a failed request's claim. When the database is away (the likely reason the request failed),
 * the release is tried again in the background until it is back, so a retry of the same key runs
 * again within moments of the outage, not a 409 until the claim's takeover a minute later. A claim
 * whose write committed after all was sealed with it, and a release leaves a sealed claim alone.
 */
async function releaseSoon(deps: Deps, claim: Claimed): Promise<void> {
  try {
    await claim.release();
    return;
  } catch {
    /* retried below */
  }
  let attempt = 0;
  const again = () => {
    const timer = setTimeout(() => {
      claim.release().catch(() => {
        if (++attempt < RELEASE_RETRIES_MS.length) again();
        else deps.log.warn('an idempotency claim could not be released; it is taken over after its lease');
      });
    }, RELEASE_RETRIES_MS[attempt]);
    timer.unref();
  };
  again();
}
