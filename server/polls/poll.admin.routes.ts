import type { Router } from 'express';
import type { Deps } from '../deps';
import { staffActor } from '../http/staff';
import { parse } from '../validate';
import { can, type StaffActor } from '../members/permissions';
import { ThreadIdParam } from '../threads/thread.schema';
import { CreatePollSchema, PollIdParam, UpdatePollSchema } from './poll.schema';
import { createPoll, type PollManager, updatePoll } from './poll.service';

/** Members who may post on a site (journalists, moderators, admins) and its API keys manage its polls. */
function pollManager(actor: StaffActor): PollManager {
  return { memberId: actor.kind === 'member' ? actor.id : null, canManage: async (siteId) => can(actor, siteId, 'post') };
}

/** `POST /threads/:threadId/polls` and `PATCH /polls/:pollId` (edit, close, reopen). */
export function pollAdminRoutes(router: Router, deps: Deps): void {
  router.post('/threads/:threadId/polls', async (req, res) => {
    const actor = await staffActor(deps, req);
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const input = parse(CreatePollSchema, req.body);
    res.status(201).json({ poll: await createPoll(deps, pollManager(actor), threadId, input) });
  });

  router.patch('/polls/:pollId', async (req, res) => {
    const actor = await staffActor(deps, req);
    const pollId = parse(PollIdParam, req.params.pollId, 'path');
    const input = parse(UpdatePollSchema, req.body);
    res.json({ poll: await updatePoll(deps, pollManager(actor), pollId, input) });
  });
}
