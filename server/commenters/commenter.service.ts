import type { Commenter } from '../../db/schema';
import { type Db, type Executor, inTransaction, type Tx } from '../db';
import type { EventBus } from '../events';
import type { FloodGuard } from '../limits/flood';
import { errors } from '../errors';
import { hashSecret, newId, newSecret } from '../ids';
import * as repo from './commenter.repo';
import { announceShownVotes } from '../polls/shown-vote.service';

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
    showVote: c.show_vote,
    createdAt: c.created_at.toISOString(),
  };
}

/**
 * A reader changes their own profile. Name, email and website apply to their next comments; comments already posted
 * keep the name they were signed with (deleting a comment, or erasing the profile, removes it).
 */
export async function updateOwnProfile(
  deps: { db: Db; bus: EventBus; limits: FloodGuard },
  actor: { commenter: Commenter | null; ipHash: string | null },
  input: { name?: string | null; email?: string | null; website?: string | null; showVote?: boolean },
  beforeCommit?: (trx: Tx, commenter: Commenter) => Promise<void>,
): Promise<Commenter> {
  if (!actor.commenter) throw errors.unauthenticated('Send your commenter token to change your profile.');
  const commenter = actor.commenter;
  if (commenter.sso_site_id && (input.name !== undefined || input.website !== undefined)) {
    // Set by the publisher's account at each sign-in (SPEC §13): changed there, not here.
    throw errors.forbidden('managed_by_sign_in', 'Your name and website come from your account on this site: change them there.');
  }
  await deps.limits.consume('profile', { commenterId: commenter.id, network: actor.ipHash });
  return inTransaction(deps, async (uow) => {
    const { showVote, ...fields } = input;
    const profile: Parameters<typeof repo.updateProfile>[2] = Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, value || null]));
    // What the publisher vouched for was the email it sent, not the one typed here.
    if (fields.email !== undefined && fields.email !== commenter.email) profile.email_verified = false;
    const updated = await repo.updateProfile(uow.trx, commenter.id, showVote === undefined ? profile : { ...profile, show_vote: showVote });
    // Threads where the reader voted now show (or stop showing) that vote beside their comments.
    if (showVote !== undefined && showVote !== commenter.show_vote) await announceShownVotes(uow, commenter.id);
    await beforeCommit?.(uow.trx, updated);
    return updated;
  });
}
