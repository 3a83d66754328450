import type { Router } from 'express';
import type { Deps } from '../deps';
import { commenterOf, originOf } from '../http/actor';
import { apiKeySiteOf } from '../http/staff';
import { pollsForThread } from '../polls/poll.service';
import { parse } from '../validate';
import { publicSsoOf } from '../sso/sso.rules';
import { ResolveThreadSchema, ThreadIdParam } from './thread.schema';
import { getThread, resolveThread } from './thread.service';
import { threadView } from './thread.view';

export function threadRoutes(router: Router, deps: Deps): void {
  router.post('/threads/resolve', async (req, res) => {
    const input = parse(ResolveThreadSchema, req.body);
    const actor = { origin: originOf(req), apiKeySiteId: await apiKeySiteOf(deps, req), network: await deps.network.hash(req.ip) };
    const { thread, created } = await resolveThread(deps, actor, input);
    // A site that signs readers in tells the widget how (and so that it loads its sign-in code); a
    // server that sends mail lets it offer reply notifications (their own module too).
    res.status(created ? 201 : 200).json({ thread: threadView(thread, { now: deps.clock.now() }), ...(await publicSsoOf(deps.db, thread.site_id)), ...(deps.mailer ? { mail: true } : {}) });
  });

  router.get('/threads/:threadId', async (req, res) => {
    const id = parse(ThreadIdParam, req.params.threadId, 'path');
    const thread = await getThread(deps, id);
    const viewer = await commenterOf(deps, req);
    res.json({ thread: threadView(thread, { polls: await pollsForThread(deps, viewer?.id ?? null, thread.id), now: deps.clock.now() }) });
  });
}
