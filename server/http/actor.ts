import type { Request } from 'express';
import type { Commenter } from '../../db/schema';
import { authenticateToken, TOKEN_PREFIX } from '../commenters/commenter.service';
import type { ReaderActor } from '../actors';
import type { Deps } from '../deps';
import { errors } from '../errors';

/** The bearer token of the request, if any. */
export function bearer(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw errors.unauthenticated('The Authorization header must be "Bearer <token>".');
  return match[1]!;
}

/** The commenter behind the request's `ct_…` token, or null when it sent none. */
export async function commenterOf(deps: Deps, req: Request): Promise<Commenter | null> {
  const token = bearer(req);
  if (!token || !token.startsWith(TOKEN_PREFIX)) return null;
  return authenticateToken(deps.db, token);
}

export async function readerActor(deps: Deps, req: Request): Promise<ReaderActor> {
  const commenter = await commenterOf(deps, req);
  return {
    commenter,
    // req.ip honours TRUST_PROXY: forwarding headers from untrusted peers are ignored.
    ipHash: await deps.network.hash(req.ip),
    userAgent: req.get('user-agent') ?? null,
    ip: req.ip ?? null,
  };
}

export function originOf(req: Request): string | null {
  const origin = req.get('origin');
  return origin && origin !== 'null' ? origin : null;
}
