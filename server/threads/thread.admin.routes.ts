import type { Router } from 'express';
import type { Deps } from '../deps';
import { staffActor } from '../http/staff';
import { parse } from '../validate';
import { UpdateThreadSchema, updateThread } from './thread.admin.service';
import { listThreads, ThreadListQuery } from './thread.list';
import { ThreadIdParam } from './thread.schema';
import { threadView } from './thread.view';

/**
 * `PATCH /threads/:threadId`: close, reopen, or set a thread's moderation mode (moderators, keys);
 * `GET /moderation/threads?site=`: the site's threads with their polls, for the dashboard.
 */
export function threadAdminRoutes(router: Router, deps: Deps): void {
  router.get('/moderation/threads', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json(await listThreads(deps, actor, parse(ThreadListQuery, req.query, 'query')));
  });

  router.patch('/threads/:threadId', async (req, res) => {
    const actor = await staffActor(deps, req);
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const input = parse(UpdateThreadSchema, req.body);
    res.json({ thread: threadView(await updateThread(deps, actor, threadId, input), { now: deps.clock.now() }) });
  });
}
