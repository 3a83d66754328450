import type { Router } from 'express';
import type { Deps } from '../deps';
import { commenterOf, readerActor } from '../http/actor';
import { apiKeySiteOf } from '../http/staff';
import { scopeOf, sendIdempotent } from '../http/idempotency';
import { errors } from '../errors';
import { parse } from '../validate';
import { ThreadIdParam } from '../threads/thread.schema';
import { cachedThreadPage, getPermalink, listCommentReplies, listThreadComments } from './comment-list.service';
import { matchesEtag } from './comment-page.cache';
import { deleteComment, editComment, type OwnerResult } from './comment-owner.service';
import { CommentIdParam, CreateCommentSchema, EditCommentSchema, ListCommentsQuery, RepliesQuery } from './comment.schema';
import { postComment, type PostResult } from './comment.service';
import { commentView } from './comment.view';
import { subscribeWhenPosting } from '../mail/subscription.service';

export function commentRoutes(router: Router, deps: Deps): void {
  router.get('/threads/:threadId/comments', async (req, res) => {
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const query = parse(ListCommentsQuery, req.query, 'query');
    const viewer = await commenterOf(deps, req);
    if (!deps.pages) {
      res.json(await listThreadComments(deps, viewer?.id ?? null, threadId, query));
      return;
    }
    const answer = await cachedThreadPage({ db: deps.db, pages: deps.pages }, viewer?.id ?? null, threadId, query);
    res.setHeader('Vary', 'Authorization');
    if (answer.page) {
      res.json(answer.page);
      return;
    }
    // The public page: revalidated on every use, 304 while the thread has not changed.
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', answer.etag!);
    if (matchesEtag(req.get('if-none-match'), answer.etag!)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(answer.body);
  });

  router.post('/threads/:threadId/comments', async (req, res) => {
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const input = parse(CreateCommentSchema, req.body);
    const apiKeySiteId = await apiKeySiteOf(deps, req);
    const actor = { ...(await readerActor(deps, req)), apiKeySiteId };
    // A wish to be told needs an address to tell: refused before anything is stored.
    if (input.notify && deps.mailer && !input.email && !actor.commenter?.email) {
      throw errors.validation('Give your email address to be told of new comments.', [{ path: 'email', message: 'is required to be told by email' }]);
    }
    await sendIdempotent(deps, req, res, scopeOf(actor), async (seal, early) => {
      let subscription: { scope: 'comment' | 'thread'; confirmed: boolean } | undefined;
      const reply = ({ comment, token, site }: PostResult) => ({
        status: 201,
        body: {
          comment: commentView(comment, comment.commenter_id, { editWindowMinutes: site.settings.editWindowMinutes }),
          ...(token ? { commenterToken: token } : {}),
          ...(subscription ? { subscription } : {}),
        },
      });
      // The reply stored with the write is the one sent: built once.
      let sealed: ReturnType<typeof reply> | undefined;
      const posted = await postComment(deps, actor, threadId, input, {
        beforeCommit: (trx, r) => seal(trx, (sealed = reply(r))),
        claim: early,
        alsoWrite: async (uow, r) => {
          subscription = await subscribeWhenPosting({ ...deps, publicUrl: deps.config.publicUrl }, uow, input, r, actor.commenter?.email ?? null);
        },
      });
      return sealed ?? reply(posted);
    }, { early: true });
  });

  router.get('/comments/:commentId', async (req, res) => {
    const id = parse(CommentIdParam, req.params.commentId, 'path');
    const viewer = await commenterOf(deps, req);
    res.json(await getPermalink(deps, viewer?.id ?? null, id));
  });

  router.get('/comments/:commentId/replies', async (req, res) => {
    const id = parse(CommentIdParam, req.params.commentId, 'path');
    const query = parse(RepliesQuery, req.query, 'query');
    const viewer = await commenterOf(deps, req);
    res.json(await listCommentReplies(deps, viewer?.id ?? null, id, query));
  });

  const ownerReply = (viewerId: string | undefined) => ({ comment, site }: OwnerResult) => ({
    status: 200,
    body: { comment: commentView(comment, viewerId, { editWindowMinutes: site.settings.editWindowMinutes }) },
  });

  router.patch('/comments/:commentId', async (req, res) => {
    const id = parse(CommentIdParam, req.params.commentId, 'path');
    const input = parse(EditCommentSchema, req.body);
    const actor = await readerActor(deps, req);
    const reply = ownerReply(actor.commenter?.id);
    await sendIdempotent(deps, req, res, scopeOf(actor), async (seal) =>
      reply(await editComment(deps, actor, id, input, { beforeCommit: (trx, r) => seal(trx, reply(r)) })),
    );
  });

  router.delete('/comments/:commentId', async (req, res) => {
    const id = parse(CommentIdParam, req.params.commentId, 'path');
    const actor = await readerActor(deps, req);
    const reply = ownerReply(actor.commenter?.id);
    await sendIdempotent(deps, req, res, scopeOf(actor), async (seal) =>
      reply(await deleteComment(deps, actor, id, { beforeCommit: (trx, r) => seal(trx, reply(r)) })),
    );
  });
}
