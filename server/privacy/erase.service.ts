import type { Comment } from '../../db/schema';
import { applyCounters } from '../comments/comment.changes';
import * as commentRepo from '../comments/comment.repo';
import { commentView } from '../comments/comment.view';
import { type Db, inTransaction, type UnitOfWork } from '../db';
import type { EventBus } from '../events';
import { type CommentEventName, recordThreadEvent } from '../threads/thread.events';
import * as repo from './erase.repo';
import { privacyExtensions } from './extensions';
import type { PrivacySubject } from './privacy.extension';
import { recordSiteEvent } from '../sites/site.events';

export interface ErasureDeps {
  db: Db;
  bus: EventBus;
}

export interface ErasureReport {
  /** false when another request had already erased the commenter (a concurrent or repeated call). */
  erased: boolean;
  comments: number;
  reactions: number;
  flags: number;
  edits: number;
  events: number;
  idempotencyKeys: number;
  /** The commenter row and token are gone (always, unless a one-site erasure left other sites' data). */
  commenterRemoved: boolean;
  [extension: string]: number | boolean;
}

const NOTHING: ErasureReport = {
  erased: false,
  comments: 0,
  reactions: 0,
  flags: 0,
  edits: 0,
  events: 0,
  idempotencyKeys: 0,
  commenterRemoved: true,
};

/** A visible change of an erased comment, recorded with the thread's next seq. */
async function publish(uow: UnitOfWork, comment: Comment, event: CommentEventName): Promise<void> {
  const where = { siteId: comment.site_id, threadId: comment.thread_id };
  const { seq } = await recordThreadEvent(uow, where, { event, comment: commentView(comment), audience: null });
  await commentRepo.setSeq(uow.trx, comment.id, seq);
}

/**
 * Erases a commenter at once, in one transaction: their comments become tombstones without author
 * (replies keep their place, counters follow), their reactions are withdrawn, their flags unlinked,
 * their edits, private events and stored idempotent replies deleted, and the commenter row — profile
 * and token hash — removed, which revokes the token. `siteId` limits it to one site's records (a
 * lost-token request made to that site); the row then goes only if nothing else references it.
 *
 * Idempotent: erasing someone already erased reports `erased: false` and changes nothing.
 */
export async function eraseCommenter(
  deps: ErasureDeps,
  commenterId: string,
  scope: { siteId?: string } = {},
  outer?: UnitOfWork,
): Promise<ErasureReport> {
  const { siteId } = scope;
  // Read outside the lock to learn which threads to lock first (the fixed order: threads, then the
  // commenter); anything written in between is picked up once the commenter is locked.
  const planned = await repo.threadsTouchedBy(outer?.trx ?? deps.db, commenterId, siteId);

  return inTransaction(
    deps,
    async (uow) => {
      const { trx } = uow;
      await repo.lockThreads(trx, planned);
      const commenter = await repo.lockCommenter(trx, commenterId);
      if (!commenter) return { ...NOTHING };
      const late = (await repo.threadsTouchedBy(trx, commenterId, siteId)).filter((id) => !planned.includes(id));
      await repo.lockThreads(trx, late);
      const threadIds = [...planned, ...late];

      const report: ErasureReport = { ...NOTHING, erased: true, commenterRemoved: false };
      const own = await repo.ownComments(trx, commenterId, siteId);
      const ownIds = own.map((c) => c.id);
      const subject: PrivacySubject = { commenterId, siteId, commentIds: ownIds };

      // Likes first, so the tombstones below are broadcast with their final tallies.
      for (const reaction of await repo.reactionsOf(trx, commenterId, siteId)) {
        const updated = await repo.removeReaction(trx, reaction.comment_id, commenterId);
        if (!updated) continue;
        report.reactions++;
        if (updated.status === 'approved' && reaction.author_id !== commenterId) await publish(uow, updated, 'comment:updated');
      }
      report.flags = await repo.unlinkFlags(trx, commenterId, siteId);

      for (const extension of privacyExtensions) {
        if (!extension.erase) continue;
        for (const [key, value] of Object.entries(await extension.erase(uow, subject))) report[key] = value;
      }

      for (const comment of own) {
        const row = await repo.tombstone(trx, comment.id);
        report.comments++;
        if (comment.status === 'deleted') continue; // already a tombstone for readers: nothing visible changes
        // The shared counter rules: a comment others answered stays listed as a tombstone, so its
        // parent keeps counting it. Only the status changed: the row as it was is the row with it.
        await applyCounters(uow, { ...row, status: comment.status }, row);
        if (comment.status === 'approved') await publish(uow, row, 'comment:removed');
        await recordSiteEvent(uow, 'comment.status', {
          siteId: comment.site_id,
          threadId: comment.thread_id,
          commentId: comment.id,
          parentId: null,
          replyToId: null,
          commenterId: null,
          from: comment.status,
          to: 'deleted',
        });
      }

      report.edits = await repo.deleteEdits(trx, ownIds);
      report.events = await repo.scrubEvents(trx, threadIds, ownIds, commenterId);
      // Stored replies and flood counters are keyed by commenter or, before a first token, by the
      // network hash of the request: those of their comments' networks go too.
      const networks = [...new Set(own.map((c) => c.ip_hash).filter((h): h is string => h !== null))];
      const keyed = [commenterId, ...(commenter.token_hash ? [commenter.token_hash] : []), ...networks];
      report.idempotencyKeys = await repo.deleteIdempotencyKeys(trx, [...keyed, ...ownIds]);
      await repo.deleteRateLimitKeys(trx, keyed);

      if (!siteId || !(await repo.holdsAnything(trx, commenterId))) {
        await repo.deleteCommenter(trx, commenterId);
        await repo.forgetRequestsFor(trx, commenter.email);
        report.commenterRemoved = true;
        uow.emit('commenter.revoked', { commenterId });
      }
      const sites = [...new Set(own.map((c) => c.site_id))];
      await recordSiteEvent(uow, 'commenter.erased', { siteId: siteId ?? null, commenterId, sites });
      return report;
    },
    outer,
  );
}
