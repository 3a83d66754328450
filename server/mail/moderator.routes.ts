import type { Router } from 'express';
import type { Deps } from '../deps';
import { errors } from '../errors';
import { staffActor } from '../http/staff';
import { authorize } from '../members/permissions';
import { SiteIdSchema } from '../sites/site.schema';
import { getSite } from '../sites/site.service';
import { parse } from '../validate';
import { ModeratorPrefsSchema } from './mail.schema';
import { prefsOf, prefsView, savePrefs } from './moderator.service';

/** A moderator's own mail choices for one site (the dashboard's settings): members only, never a key. */
export function moderatorMailRoutes(router: Router, deps: Deps): void {
  const md = { ...deps, publicUrl: deps.config.publicUrl };
  const member = async (req: Parameters<Parameters<Router['get']>[1]>[0], siteId: string) => {
    const actor = await staffActor(deps, req);
    authorize(actor, siteId, 'moderate');
    if (actor.kind !== 'member') throw errors.forbidden('forbidden', 'Mail choices belong to a member, not to an API key.');
    return actor;
  };

  router.get('/sites/:siteId/notifications', async (req, res) => {
    const siteId = parse(SiteIdSchema, req.params.siteId, 'path');
    const actor = await member(req, siteId);
    res.json({ notifications: prefsView(await prefsOf(deps, actor.id, siteId), siteId, !!deps.mailer) });
  });

  router.put('/sites/:siteId/notifications', async (req, res) => {
    const siteId = parse(SiteIdSchema, req.params.siteId, 'path');
    const actor = await member(req, siteId);
    const input = parse(ModeratorPrefsSchema, req.body);
    const prefs = await savePrefs(md, actor.id, await getSite(deps.db, siteId), input);
    res.json({ notifications: prefsView(prefs, siteId, true) });
  });
}
