import type { Router } from 'express';
import type { Deps } from '../deps';
import { commenterOf } from '../http/actor';
import { apiKeySiteOf } from '../http/staff';
import { ThreadIdParam } from '../threads/thread.schema';
import { parse } from '../validate';
import { issueChallenge } from './proof.service';

/** The proof of work's challenge (SPEC §13): `{challenge}`, null when the caller needs none. */
export function proofRoutes(router: Router, deps: Deps): void {
  router.get('/threads/:threadId/challenge', async (req, res) => {
    const threadId = parse(ThreadIdParam, req.params.threadId, 'path');
    const apiKeySiteId = await apiKeySiteOf(deps, req);
    const commenter = apiKeySiteId ? null : await commenterOf(deps, req);
    // Each challenge is single use: never from a cache.
    res.setHeader('Cache-Control', 'no-store');
    if (!deps.abuse) {
      res.json({ challenge: null });
      return;
    }
    res.json(await issueChallenge(deps.abuse, { commenterId: commenter?.id ?? null, ipHash: await deps.network.hash(req.ip), apiKeySiteId }, threadId));
  });
}
