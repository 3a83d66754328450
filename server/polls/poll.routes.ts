import type { Router } from 'express';
import type { Deps } from '../deps';
import { commenterOf, readerActor } from '../http/actor';
import { parse } from '../validate';
import { PollIdParam, VoteSchema } from './poll.schema';
import { castVote, getPoll, withdrawVote } from './poll.service';

/** The reader side of polls: read, vote, change, withdraw. */
export function pollRoutes(router: Router, deps: Deps): void {
  router.get('/polls/:pollId', async (req, res) => {
    const id = parse(PollIdParam, req.params.pollId, 'path');
    const viewer = await commenterOf(deps, req);
    res.json({ poll: await getPoll(deps, viewer?.id ?? null, id) });
  });

  router.put('/polls/:pollId/vote', async (req, res) => {
    const id = parse(PollIdParam, req.params.pollId, 'path');
    const input = parse(VoteSchema, req.body);
    const actor = { ...(await readerActor(deps, req)), networkHashes: await deps.network.hashesWithin(req.ip, Infinity) };
    const { poll, token } = await castVote(deps, actor, id, input);
    res.json({ poll, ...(token ? { commenterToken: token } : {}) });
  });

  router.delete('/polls/:pollId/vote', async (req, res) => {
    const id = parse(PollIdParam, req.params.pollId, 'path');
    res.json({ poll: await withdrawVote(deps, await readerActor(deps, req), id) });
  });
}
