import type { Commenter } from '../../db/schema';
import { recordChange } from '../comments/comment.changes';
import * as commenterRepo from '../commenters/commenter.repo';
import { TOKEN_PREFIX } from '../commenters/commenter.service';
import { type Db, type Executor, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { hashSecret } from '../ids';
import { lockCommenter, lockThreads, threadsTouchedBy } from '../privacy/erase.repo';
import { eraseCommenter } from '../privacy/erase.service';
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

/**
 * Moves the comments the anonymous token proves, on the account's site, to the signed-in reader —
 * with that identity's likes, poll votes and mail subscriptions there — and retires the anonymous identity on the site:
 * what is left of it there is erased (a one-site erasure), which removes its row and revokes its
 * token unless it still holds comments, likes or flags on another site. So the proof works once:
 * sent again, it is refused (`claim_refused`).
 */
export async function claimComments(deps: { db: Db; bus: EventBus }, account: Commenter | null, anonymousToken: string): Promise<{ comments: number }> {
  if (!account) throw errors.unauthenticated('Sign in first, then send your earlier commenter token.');
  const siteId = account.sso_site_id;
  if (!siteId) throw errors.forbidden('not_signed_in', 'Only a reader signed in with the site’s accounts can carry earlier comments over.');
  const owner = await anonymousOwner(deps.db, anonymousToken);
  if (!owner || owner.id === account.id) throw refused();

  const planned = await threadsTouchedBy(deps.db, owner.id, siteId);
  return inTransaction(deps, async (uow) => {
    // The fixed lock order: threads, then commenters, then comments (as erasure takes them).
    await lockThreads(uow.trx, planned);
    if (!(await lockCommenter(uow.trx, owner.id))) throw refused();
    const me = await lockCommenter(uow.trx, account.id);
    if (!me) throw errors.unauthenticated('The commenter token is not valid.');
    // Written in between on a thread not planned for: locked now, as erasure does.
    await lockThreads(uow.trx, (await threadsTouchedBy(uow.trx, owner.id, siteId)).filter((id) => !planned.includes(id)));
    const theirs = await repo.commentsOf(uow.trx, owner.id, siteId);
    // Nothing of theirs here: never written, or carried over already (their token still works on another site).
    if (theirs.length === 0) throw refused();
    let moved = 0;
    for (const before of theirs) {
      const shown = before.status === 'deleted' ? {} : { author_name: me.name, author_website: me.website, reader_badge: me.reader_badge };
      const after = await repo.reassign(uow.trx, before.id, { commenter_id: me.id, ...shown });
      await recordChange(uow, before, after);
      if (before.status !== 'deleted') moved++;
    }
    await repo.moveLikes(uow.trx, owner.id, me.id, siteId);
    await repo.moveBallots(uow.trx, owner.id, me.id, siteId);
    await repo.moveSubscriptions(uow.trx, owner.id, me.id, siteId);
    // The anonymous identity is done here: the rest of it on this site goes, and with nothing elsewhere, its row and token.
    await eraseCommenter(deps, owner.id, { siteId }, uow);
    return { comments: moved };
  });
}

const refused = () => errors.forbidden('claim_refused', 'This commenter token proves no earlier anonymous comments: it is not valid, or its comments were already carried over.');
