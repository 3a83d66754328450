import type { Router } from 'express';
import type { Deps } from '../deps';
import { commenterOf, readerActor } from '../http/actor';
import { parse } from '../http/validate';
import { ThreadIdParam } from '../threads/thread.schema';
import { CreateCommentSchema, ListCommentsQuery } from './comment.schema';
import { listThreadComments, postComment } from './comment.service';
import { commentView } from './comment.view';

export function commentRoutes(router: Router, deps: Deps): void {
  router.get('/threads/:threadId/comments', async (req, res) => {
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const query = parse(ListCommentsQuery, req.query, 'query');
    const viewer = await commenterOf(deps, req);
    res.json(await listThreadComments(deps, viewer?.id ?? null, threadId, query));
  });

  router.post('/threads/:threadId/comments', async (req, res) => {
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const input = parse(CreateCommentSchema, req.body);
    const actor = await readerActor(deps, req);
    const { comment, token } = await postComment(deps, actor, threadId, input);
    res.status(201).json({
      comment: commentView(comment, comment.commenter_id),
      ...(token ? { commenterToken: token } : {}),
    });
  });
}
