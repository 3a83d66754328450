import type { Router } from 'express';
import type { Deps } from '../deps';
import { staffOnSite } from '../http/staff';
import { parse } from '../validate';
import { SiteIdSchema } from '../sites/site.schema';
import { CreateSsoKeySchema, SsoKeyIdParam } from './sso.schema';
import { createSsoKey, listSsoKeys, retireSsoKey } from './sso-key.service';

/** `/sites/:siteId/sso/keys`: the keys a site's sign-in tokens are checked with (admins). */
export function ssoKeyRoutes(router: Router, deps: Deps): void {
  const keyDeps = { ...deps, allowPrivate: deps.config.webhooksAllowPrivate };

  router.post('/sites/:siteId/sso/keys', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    const input = parse(CreateSsoKeySchema, req.body);
    res.status(201).json(await createSsoKey(keyDeps, actor, siteId, input));
  });

  router.get('/sites/:siteId/sso/keys', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    res.json({ items: await listSsoKeys(deps, actor, siteId) });
  });

  router.delete('/sites/:siteId/sso/keys/:keyId', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    const keyId = parse(SsoKeyIdParam, req.params.keyId, 'path');
    res.json({ key: await retireSsoKey(keyDeps, actor, siteId, keyId) });
  });
}
