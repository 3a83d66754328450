import type { Commenter } from '../../db/schema';
import type { Executor } from '../db';
import { errors } from '../errors';
import { hashSecret, newId, newSecret } from '../ids';
import * as repo from './commenter.repo';

export const TOKEN_PREFIX = 'ct_';

/**
 * The commenter behind a `ct_…` token. A token that was revoked (erasure) or never existed is a 401:
 * the browser should forget it rather than silently post as somebody new.
 */
export async function authenticateToken(db: Executor, token: string): Promise<Commenter> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) throw errors.unauthenticated('The commenter token is not valid.');
  const commenter = await repo.findByTokenHash(db, hashSecret(token));
  if (!commenter || commenter.erased_at) throw errors.unauthenticated('The commenter token is not valid.');
  return commenter;
}

/** A new pseudonymous identity; the token is returned once and only its hash is kept. */
export async function createCommenter(
  db: Executor,
  profile: { name?: string | null; email?: string | null; website?: string | null },
): Promise<{ commenter: Commenter; token: string }> {
  const token = newSecret('ct');
  const commenter = await repo.insertCommenter(db, { id: newId(), tokenHash: hashSecret(token), ...profile });
  return { commenter, token };
}

export function commenterProfileView(c: Commenter) {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    website: c.website,
    createdAt: c.created_at.toISOString(),
  };
}
