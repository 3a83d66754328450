import type { Request, Router } from 'express';
import { TOKEN_PREFIX } from '../commenters/commenter.service';
import type { Deps } from '../deps';
import { errors } from '../errors';
import { bearer, commenterOf } from '../http/actor';
import { apiKeySiteOf } from '../http/staff';
import { parse } from '../validate';
import { exportFileName } from '../privacy/export.service';
import { createJwksCache } from './jwks';
import { ReaderClaimsSchema, SsoClaimSchema, SsoLoginSchema, SsoSubParam, SsoUserPatchSchema } from './sso.schema';
import { claimableWith, claimComments } from './sso-claim.service';
import { createCode, signIn } from './sso.service';
import { eraseUser, exportUser, logoutUser, ssoCommenterView, updateUser } from './sso-user.service';

/** The site of the request's `sk_` key; these routes are the publisher's server's, never a browser's. */
async function keySite(deps: Deps, req: Request): Promise<string> {
  const siteId = await apiKeySiteOf(deps, req);
  if (!siteId) throw errors.unauthenticated('Use the site’s API key: Authorization: Bearer sk_…');
  return siteId;
}

/** `/sso/*`: readers signing in with the publisher's accounts, and the publisher managing them. */
export function ssoRoutes(router: Router, deps: Deps): void {
  // Key sets fetched from publishers' JWKS URLs, kept in this process (read on sign-in only).
  const jwks = createJwksCache(deps.config.webhooksAllowPrivate);

  router.post('/sso/login', async (req, res) => {
    await deps.limits.consume('signIn', { commenterId: null, network: await deps.network.hash(req.ip) });
    const input = parse(SsoLoginSchema, req.body);
    const token = bearer(req);
    const held = token?.startsWith(TOKEN_PREFIX) ? token : null;
    const { commenterToken, commenter } = await signIn({ ...deps, jwks }, input, held);
    // The browser's anonymous token, if it wrote comments here: the widget offers to carry them over.
    const claimable = await claimableWith(deps.db, held, input.site, commenter);
    res.json({ commenterToken, commenter: ssoCommenterView(commenter), ...(claimable > 0 ? { claimable: { comments: claimable } } : {}) });
  });

  router.post('/sso/claim', async (req, res) => {
    const { commenterToken } = parse(SsoClaimSchema, req.body);
    const account = await commenterOf(deps, req);
    await deps.limits.consume('profile', { commenterId: account?.id ?? null, network: await deps.network.hash(req.ip) });
    res.json({ claimed: await claimComments(deps, account, commenterToken) });
  });

  router.post('/sso/codes', async (req, res) => {
    const siteId = await keySite(deps, req);
    await deps.limits.consume('signInCode', { commenterId: null, network: await deps.network.hash(req.ip) });
    const claims = parse(ReaderClaimsSchema, req.body);
    res.status(201).json(await createCode(deps, siteId, claims));
  });

  router.get('/sso/users/:sub/export', async (req, res) => {
    const siteId = await keySite(deps, req);
    const sub = parse(SsoSubParam, req.params.sub, 'path');
    const now = new Date();
    const { commenterId, document } = await exportUser(deps, siteId, sub, now);
    res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(commenterId, now)}"`);
    res.json({ export: document });
  });

  router.patch('/sso/users/:sub', async (req, res) => {
    const siteId = await keySite(deps, req);
    const sub = parse(SsoSubParam, req.params.sub, 'path');
    const input = parse(SsoUserPatchSchema, req.body);
    res.json({ commenter: await updateUser(deps, siteId, sub, input) });
  });

  router.delete('/sso/users/:sub', async (req, res) => {
    const siteId = await keySite(deps, req);
    const sub = parse(SsoSubParam, req.params.sub, 'path');
    res.json({ erasure: await eraseUser(deps, siteId, sub) });
  });

  router.post('/sso/users/:sub/logout', async (req, res) => {
    const siteId = await keySite(deps, req);
    const sub = parse(SsoSubParam, req.params.sub, 'path');
    res.json(await logoutUser(deps, siteId, sub));
  });
}
