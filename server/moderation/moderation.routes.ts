import type { Router } from 'express';
import { CommentIdParam } from '../comments/comment.schema';
import { commentView } from '../comments/comment.view';
import type { Deps } from '../deps';
import { authorize } from '../members/permissions';
import { staffActor } from '../http/staff';
import { parse } from '../validate';
import { ThreadIdParam } from '../threads/thread.schema';
import { listLog, logView } from '../audit/audit.repo';
import { banView, createBan, liftBan, listBans } from './ban.service';
import { decide, decideMany } from './decision.service';
import { postAsMember } from './member-post.service';
import {
  BanIdParam,
  BanListQuery,
  BulkDecisionSchema,
  CreateBanSchema,
  DecisionSchema,
  LogQuery,
  MemberPostSchema,
  QueueListQuery,
  QueuesQuery,
} from './moderation.schema';
import { moderationCommentView } from './moderation.view';
import { listQueue, moderationComment, queueCounts } from './queue.service';

/** `/moderation/*`: queues, decisions, bans, the log, and members' own posts. */
export function moderationRoutes(router: Router, deps: Deps): void {
  router.get('/moderation/queues', async (req, res) => {
    const actor = await staffActor(deps, req);
    const { site } = parse(QueuesQuery, req.query, 'query');
    res.json({ site, counts: await queueCounts(deps, actor, site) });
  });

  router.get('/moderation/comments', async (req, res) => {
    const actor = await staffActor(deps, req);
    const query = parse(QueueListQuery, req.query, 'query');
    res.json(await listQueue(deps, actor, query));
  });

  router.get('/moderation/comments/:id', async (req, res) => {
    const actor = await staffActor(deps, req);
    const id = parse(CommentIdParam, req.params.id, 'path');
    res.json(await moderationComment(deps, actor, id));
  });

  router.post('/moderation/comments/:id/decision', async (req, res) => {
    const actor = await staffActor(deps, req);
    const id = parse(CommentIdParam, req.params.id, 'path');
    const input = parse(DecisionSchema, req.body);
    const comment = await decide(deps, actor, id, input.action, { reason: input.reason, version: input.version });
    res.json({ comment: moderationCommentView(comment) });
  });

  router.post('/moderation/decisions', async (req, res) => {
    const actor = await staffActor(deps, req);
    const input = parse(BulkDecisionSchema, req.body);
    const results = await decideMany(deps, actor, input);
    res.json({
      results: results.map((r) => (r.ok ? { id: r.id, ok: true, comment: moderationCommentView(r.comment) } : r)),
    });
  });

  router.post('/moderation/bans', async (req, res) => {
    const actor = await staffActor(deps, req);
    const input = parse(CreateBanSchema, req.body);
    const { ban, rejected } = await createBan(deps, actor, input);
    res.status(201).json({ ban: banView(ban), rejected });
  });

  router.get('/moderation/bans', async (req, res) => {
    const actor = await staffActor(deps, req);
    const query = parse(BanListQuery, req.query, 'query');
    res.json(await listBans(deps, actor, query));
  });

  router.delete('/moderation/bans/:id', async (req, res) => {
    const actor = await staffActor(deps, req);
    const id = parse(BanIdParam, req.params.id, 'path');
    res.json({ ban: banView(await liftBan(deps, actor, id)) });
  });

  router.get('/moderation/log', async (req, res) => {
    const actor = await staffActor(deps, req);
    const query = parse(LogQuery, req.query, 'query');
    authorize(actor, query.site, 'moderate');
    const rows = await listLog(deps.db, query.site, {
      limit: query.limit + 1,
      before: query.cursor ? Number(query.cursor) : undefined,
      commentId: query.commentId,
      commenterId: query.commenterId,
      action: query.action,
    });
    const page = rows.slice(0, query.limit);
    res.json({
      items: page.map(logView),
      nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null,
    });
  });

  router.post('/moderation/threads/:threadId/comments', async (req, res) => {
    const actor = await staffActor(deps, req);
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const input = parse(MemberPostSchema, req.body);
    const comment = await postAsMember(deps, actor, threadId, input);
    res.status(201).json({ comment: commentView(comment) });
  });
}
