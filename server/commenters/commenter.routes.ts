import type { Router } from 'express';
import type { Deps } from '../deps';
import { errors } from '../errors';
import { readerActor } from '../http/actor';
import { scopeOf, sendIdempotent } from '../http/idempotency';
import { parse } from '../validate';
import { UpdateProfileSchema } from './commenter.schema';
import { commenterProfileView, updateOwnProfile } from './commenter.service';

const needToken = () => errors.unauthenticated('Send your commenter token (Authorization: Bearer ct_…) to see your profile.');

export function commenterRoutes(router: Router, deps: Deps): void {
  router.get('/me', async (req, res) => {
    const actor = await readerActor(deps, req);
    if (!actor.commenter) throw needToken();
    res.json({ commenter: commenterProfileView(actor.commenter) });
  });

  router.patch('/me', async (req, res) => {
    const input = parse(UpdateProfileSchema, req.body);
    const actor = await readerActor(deps, req);
    if (!actor.commenter) throw needToken();
    const commenter = actor.commenter;
    const reply = (c: typeof commenter) => ({ status: 200, body: { commenter: commenterProfileView(c) } });
    await sendIdempotent(deps, req, res, scopeOf(actor), async (seal) =>
      reply(await updateOwnProfile(deps, actor, input, (trx, c) => seal(trx, reply(c)))),
    );
  });
}
