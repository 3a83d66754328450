import type { Router } from 'express';
import { CommentIdParam } from '../comments/comment.schema';
import { commentView } from '../comments/comment.view';
import type { Deps } from '../deps';
import { readerActor } from '../http/actor';
import { scopeOf, sendIdempotent } from '../http/idempotency';
import { parse } from '../validate';
import { type ReactionResult, setReaction } from './reaction.service';

const reply = ({ comment, commenter, reacted, token }: ReactionResult) => ({
  status: 200,
  body: {
    comment: commentView(comment, commenter.id, { reacted }),
    ...(token ? { commenterToken: token } : {}),
  },
});

export function reactionRoutes(router: Router, deps: Deps): void {
  for (const [method, liked] of [['put', true], ['delete', false]] as const) {
    router[method]('/comments/:commentId/reaction', async (req, res) => {
      const id = parse(CommentIdParam, req.params.commentId, 'path');
      const reader = await readerActor(deps, req);
      // Only a like without a token is capped per network (see LIKE_NETWORK_CAP).
      const actor = { ...reader, networkHashes: liked && !reader.commenter ? await deps.network.hashesWithin(req.ip, Infinity) : undefined };
      await sendIdempotent(deps, req, res, scopeOf(actor), async (seal) =>
        reply(await setReaction(deps, actor, id, liked, { beforeCommit: (trx, r) => seal(trx, reply(r)) })),
      );
    });
  }
}
