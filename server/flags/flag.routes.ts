import type { Router } from 'express';
import { CommentIdParam } from '../comments/comment.schema';
import type { Deps } from '../deps';
import { readerActor } from '../http/actor';
import { scopeOf, sendIdempotent } from '../http/idempotency';
import { parse } from '../validate';
import { CreateFlagSchema } from './flag.schema';
import { type FlagResult, flagComment } from './flag.service';

const reply = ({ flag, token }: FlagResult) => ({
  status: 201,
  body: {
    flag: { commentId: flag.commentId, reason: flag.reason, note: flag.note, createdAt: flag.createdAt.toISOString() },
    ...(token ? { commenterToken: token } : {}),
  },
});

export function flagRoutes(router: Router, deps: Deps): void {
  router.post('/comments/:commentId/flags', async (req, res) => {
    const id = parse(CommentIdParam, req.params.commentId, 'path');
    const input = parse(CreateFlagSchema, req.body);
    const actor = await readerActor(deps, req);
    await sendIdempotent(deps, req, res, scopeOf(actor), async (seal) =>
      reply(await flagComment(deps, actor, id, input, { beforeCommit: (trx, r) => seal(trx, reply(r)) })),
    );
  });
}
