import { assertMayParticipateIn } from '../sso/sso.rules';
import type { Comment, Commenter } from '../../db/schema';
import { createCommenter } from '../commenters/commenter.service';
import { openComment } from '../comments/comment-list.service';
import type { ReaderActor } from '../actors';
import type { CommentDeps } from '../comments/comment.deps';
import * as commentRepo from '../comments/comment.repo';
import { inTransaction, type Tx } from '../db';
import { errors } from '../errors';
import type { WriteHooks } from '../idempotency/idempotency.service';
import * as threadRepo from '../threads/thread.repo';
import * as repo from './reaction.repo';

export interface ReactionResult {
  comment: Comment;
  commenter: Commenter;
  reacted: boolean;
  /** Set when this like created the reader's identity. */
  token?: string;
}

/**
 * Readers without a token are new identities with every first like, so one network could pile up
 * likes (and game `sort=top`) by not sending one. As poll ballots are, such likes are capped per
 * network and comment, counting every like already made from that network; readers who send their
 * token are one like each and are not capped (a newsroom or a campus shares one network).
 */
export const LIKE_NETWORK_CAP = 5;

/**
 * One like per commenter per comment. The primary key (comment, commenter) decides under any race,
 * and the counter moves only when a row really came or went, in the same transaction, so
 * `reactionCount` stays exact however many clicks arrive at once. A first like without a token
 * creates the reader's identity, as a first post does.
 */
export async function setReaction(
  deps: CommentDeps,
  /** `networkHashes`: the reader's network under every daily secret still kept, as for poll votes. */
  actor: ReaderActor & { networkHashes?: string[] },
  id: string,
  liked: boolean,
  hooks: WriteHooks<ReactionResult> = {},
): Promise<ReactionResult> {
  if (!liked && !actor.commenter) throw errors.unauthenticated('Send your commenter token to remove your like.');
  const comment = await openComment(deps, actor, id, liked ? 'liked' : 'unliked');
  if (liked) await assertMayParticipateIn(deps.db, comment.site_id, actor.commenter);
  await deps.limits.consume('reaction', { commenterId: actor.commenter?.id ?? null, network: actor.ipHash });

  return inTransaction(deps, async (uow) => {
    const { trx } = uow;
    // Cached pages of the thread show the count: they go stale with this commit.
    await threadRepo.bumpPageVersion(trx, comment.thread_id);
    let commenter = actor.commenter;
    let token: string | undefined;
    if (!commenter) {
      await capNetwork(trx, comment.id, actor);
      ({ commenter, token } = await createCommenter(trx, {}));
    }
    const changed = liked
      ? await repo.addReaction(trx, comment.id, commenter.id, actor.ipHash)
      : await repo.removeReaction(trx, comment.id, commenter.id);
    const after = changed
      ? await repo.shiftReactionCount(trx, comment.id, liked ? 1 : -1)
      : ((await commentRepo.findComment(trx, comment.id)) ?? comment);
    const result: ReactionResult = { comment: after, commenter, reacted: liked, token };
    await hooks.beforeCommit?.(trx, result);
    return result;
  });
}

async function capNetwork(trx: Tx, commentId: string, actor: ReaderActor & { networkHashes?: string[] }): Promise<void> {
  if (!actor.ipHash) return;
  await repo.lockNetwork(trx, commentId, actor.ipHash);
  const hashes = actor.networkHashes?.length ? actor.networkHashes : [actor.ipHash];
  if ((await repo.networkLikes(trx, commentId, hashes)) >= LIKE_NETWORK_CAP) {
    throw errors.forbidden('network_like_limit', 'Many people have already liked this comment from your network. Your like was not counted.');
  }
}
