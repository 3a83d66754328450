import type { Commenter } from '../../db/schema';
import { createCommenter } from '../commenters/commenter.service';
import type { ReaderActor } from '../actors';
import { openComment } from '../comments/comment-list.service';
import type { CommentDeps } from '../comments/comment.deps';
import { inTransaction } from '../db';
import { errors } from '../errors';
import type { WriteHooks } from '../idempotency/idempotency.service';
import { getSite } from '../sites/site.service';
import * as repo from './flag.repo';
import type { CreateFlagInput } from './flag.schema';
import { recordSiteEvent } from '../sites/site.events';

export interface FlagResult {
  flag: { commentId: string; reason: string; note: string | null; createdAt: Date };
  commenter: Commenter;
  token?: string;
}

/**
 * A reader reports a published comment, once. The comment's `flag_count` moves in the same
 * transaction; the report that reaches the site's threshold puts the comment in the flagged queue
 * (the moderation side counts it from `comment.flagged`). Reports never hide a comment by themselves:
 * a few readers must not be able to silence another.
 */
export async function flagComment(
  deps: CommentDeps,
  actor: ReaderActor,
  id: string,
  input: CreateFlagInput,
  hooks: WriteHooks<FlagResult> = {},
): Promise<FlagResult> {
  const comment = await openComment(deps, actor, id, 'reported');
  if (actor.commenter && comment.commenter_id === actor.commenter.id) {
    throw errors.forbidden('own_comment', 'You cannot report your own comment; you can edit or delete it instead.');
  }
  const site = await getSite(deps.db, comment.site_id);
  await deps.limits.consume('flag', { commenterId: actor.commenter?.id ?? null, network: actor.ipHash });

  return inTransaction(deps, async (uow) => {
    const { trx } = uow;
    let commenter = actor.commenter;
    let token: string | undefined;
    if (!commenter) ({ commenter, token } = await createCommenter(trx, {}));
    const note = input.note || null;
    const flag = await repo.insertFlag(trx, { commentId: comment.id, commenterId: commenter.id, reason: input.reason, note });
    if (!flag) throw errors.conflict('already_flagged', 'You already reported this comment. The moderators will look at it.');
    const after = await repo.addToFlagCount(trx, comment.id);
    const threshold = site.settings.flagThreshold;
    await recordSiteEvent(uow, 'comment.flagged', {
      siteId: after.site_id,
      threadId: after.thread_id,
      commentId: after.id,
      flagCount: after.flag_count,
      threshold,
      // Flags a moderator already cleared (by approving) do not count again.
      entered: after.status === 'approved' && after.flag_count - after.flags_cleared === threshold,
      reason: input.reason,
    });
    const result: FlagResult = {
      flag: { commentId: comment.id, reason: input.reason, note, createdAt: flag.created_at },
      commenter,
      token,
    };
    await hooks.beforeCommit?.(trx, result);
    return result;
  });
}
