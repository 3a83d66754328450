import type { Commenter } from '../../db/schema';
import { commenterProfileView } from '../commenters/commenter.service';
import { type Db, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { eraseCommenter } from '../privacy/erase.service';
import { exportCommenter } from '../privacy/export.service';
import * as repo from './sso.repo';
import type { ReaderClaims } from './sso.schema';

/**
 * The publisher's server managing its readers in Parley with the site's `sk_` key (SPEC §9): the
 * same export and erasure a reader has, a profile change, and "log out everywhere".
 */
interface UserDeps {
  db: Db;
  bus: EventBus;
}

/** The commenter as the reader and the publisher see them: never shown to other readers. */
export function ssoCommenterView(c: Commenter) {
  return { ...commenterProfileView(c), emailVerified: c.email_verified, readerBadge: c.reader_badge, signedIn: c.sso_site_id !== null };
}

async function identity(db: Db, siteId: string, sub: string): Promise<Commenter> {
  const commenter = await repo.findIdentity(db, siteId, sub);
  if (!commenter) throw errors.notFound('The reader');
  return commenter;
}

export async function exportUser(deps: UserDeps, siteId: string, sub: string, now = new Date()) {
  const commenter = await identity(deps.db, siteId, sub);
  return { commenterId: commenter.id, document: await exportCommenter(deps.db, commenter.id, {}, now) };
}

/** Changes the profile until the next sign-in brings the account's own values again. */
export async function updateUser(deps: UserDeps, siteId: string, sub: string, input: Partial<Omit<ReaderClaims, 'sub'>>) {
  const commenter = await identity(deps.db, siteId, sub);
  const patch: Partial<repo.Profile> = {};
  if (input.name !== undefined) patch.name = input.name || null;
  if (input.email !== undefined) patch.email = input.email || null;
  if (input.website !== undefined) patch.website = input.website || null;
  if (input.badge !== undefined) patch.reader_badge = input.badge || null;
  // A new email is unverified unless the publisher says otherwise in the same request.
  if (input.email !== undefined && input.email !== commenter.email) patch.email_verified = false;
  if (input.email_verified !== undefined) patch.email_verified = input.email_verified;
  if (!(patch.email !== undefined ? patch.email : commenter.email)) patch.email_verified = false;
  const updated = await inTransaction(deps, ({ trx }) => repo.updateProfile(trx, commenter.id, patch));
  return ssoCommenterView(updated);
}

/** Erasure, as `DELETE /me`: the identity, its tokens and pending codes go with the commenter. */
export async function eraseUser(deps: UserDeps, siteId: string, sub: string) {
  const commenter = await identity(deps.db, siteId, sub);
  return eraseCommenter(deps, commenter.id);
}

/** Every commenter token of the identity revoked; its open sockets, on every instance, disconnected. */
export async function logoutUser(deps: UserDeps, siteId: string, sub: string) {
  const commenter = await identity(deps.db, siteId, sub);
  const revoked = await inTransaction(deps, async (uow) => {
    const n = await repo.revokeTokens(uow.trx, commenter.id);
    uow.emit('commenter.revoked', { commenterId: commenter.id });
    return n;
  });
  return { revokedTokens: revoked };
}
