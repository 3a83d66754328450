import type { Router } from 'express';
import type { Deps } from '../deps';
import { originOf } from '../http/actor';
import { apiKeySiteOf } from '../http/staff';
import { parse } from '../http/validate';
import { ResolveThreadSchema, ThreadIdParam } from './thread.schema';
import { getThread, resolveThread } from './thread.service';
import { threadView } from './thread.view';

export function threadRoutes(router: Router, deps: Deps): void {
  router.post('/threads/resolve', async (req, res) => {
    const input = parse(ResolveThreadSchema, req.body);
    const actor = { origin: originOf(req), apiKeySiteId: await apiKeySiteOf(deps, req) };
    const { thread, created } = await resolveThread(deps, actor, input);
    res.status(created ? 201 : 200).json({ thread: threadView(thread) });
  });

  router.get('/threads/:threadId', async (req, res) => {
    const id = parse(ThreadIdParam, req.params.threadId, 'path');
    res.json({ thread: threadView(await getThread(deps, id)) });
  });
}
