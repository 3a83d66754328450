import type { Request, Response } from 'express';
import type { ReaderActor } from '../comments/comment.service';
import type { Tx } from '../db';
import type { Deps } from '../deps';
import { claimKey, fingerprint, type Reply, validateKey } from '../idempotency/idempotency.service';

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
 */
export async function sendIdempotent(
  deps: Deps,
  req: Request,
  res: Response,
  scope: string,
  handler: (seal: Seal) => Promise<Reply>,
): Promise<void> {
  const header = req.get('idempotency-key');
  if (header === undefined) {
    send(res, await handler(async () => {}));
    return;
  }
  const key = validateKey(header);
  const claim = await claimKey(deps.db, {
    scope,
    key,
    fingerprint: fingerprint(req.method, req.baseUrl + req.path, req.body),
  });
  if (claim.kind === 'replay') {
    res.setHeader('Idempotent-Replayed', 'true');
    send(res, claim.reply);
    return;
  }
  let sealed = false;
  try {
    const reply = await handler(async (trx, r) => {
      await claim.seal(trx, r);
      sealed = true;
    });
    if (!sealed) await claim.finish(reply);
    send(res, reply);
  } catch (err) {
    // The write rolled back: free the key so the client's retry runs again.
    await claim.release().catch(() => {});
    throw err;
  }
}
