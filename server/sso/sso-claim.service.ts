import type { Commenter } from '../../db/schema';
import { recordChange } from '../comments/comment.changes';
import * as commenterRepo from '../commenters/commenter.repo';
import { TOKEN_PREFIX } from '../commenters/commenter.service';
import { type Db, type Executor, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { hashSecret } from '../ids';
import { lockCommenter, lockThreads } from '../privacy/erase.repo';
import * as repo from './sso-claim.repo';

/**
 * A reader who wrote anonymously and then signs in keeps those comments only by proving them with
 * the anonymous commenter token (SPEC §9): the widget offers it once, and nothing moves otherwise.
 *
 * The claimed comments are shown under the account as it is at the claim (name, website, reader
 * badge): claiming is the reader's explicit request to sign them with the account, unlike a later
 * change of name, which — as any profile change — applies only to comments written after it. A
 * comment deleted before stays a tombstone without author.
 */

/** The anonymous commenter a token proves, if it is one whose comments could be carried over. */
async function anonymousOwner(db: Executor, token: string | null): Promise<Commenter | null> {
  if (!token?.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const owner = await commenterRepo.findByTokenHash(db, hashSecret(token));
  return owner && !owner.erased_at && owner.sso_site_id === null ? owner : null;
}

/** What a sign-in may offer to carry over: the count of the held anonymous token's comments on the site. */
export async function claimableWith(db: Db, held: string | null, siteId: string, signedIn: Commenter): Promise<number> {
  const owner = await anonymousOwner(db, held);
  if (!owner || owner.id === signedIn.id) return 0;
  return repo.countClaimable(db, owner.id, siteId);
}

/** Moves the comments the anonymous token proves, on the account's site, to the signed-in reader. */
export async function claimComments(deps: { db: Db; bus: EventBus }, account: Commenter | null, anonymousToken: string): Promise<{ comments: number }> {
  if (!account) throw errors.unauthenticated('Sign in first, then send your earlier commenter token.');
  const siteId = account.sso_site_id;
  if (!siteId) throw errors.forbidden('not_signed_in', 'Only a reader signed in with the site’s accounts can carry earlier comments over.');
  const owner = await anonymousOwner(deps.db, anonymousToken);
  if (!owner) throw errors.forbidden('claim_refused', 'This commenter token does not prove any earlier anonymous comments.');
  if (owner.id === account.id) return { comments: 0 };

  const planned = await repo.threadsOf(deps.db, owner.id, siteId);
  return inTransaction(deps, async (uow) => {
    // The fixed lock order: threads, then commenters, then comments (as erasure takes them).
    await lockThreads(uow.trx, planned);
    if (!(await lockCommenter(uow.trx, owner.id))) return { comments: 0 };
    const me = await lockCommenter(uow.trx, account.id);
    if (!me) throw errors.unauthenticated('The commenter token is not valid.');
    let moved = 0;
    for (const before of await repo.commentsOf(uow.trx, owner.id, siteId)) {
      // A comment written in between on a thread not planned for: left with its anonymous author.
      if (!planned.includes(before.thread_id)) continue;
      const shown = before.status === 'deleted' ? {} : { author_name: me.name, author_website: me.website, reader_badge: me.reader_badge };
      const after = await repo.reassign(uow.trx, before.id, { commenter_id: me.id, ...shown });
      await recordChange(uow, before, after);
      if (before.status !== 'deleted') moved++;
    }
    return { comments: moved };
  });
}
