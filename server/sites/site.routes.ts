import type { Router } from 'express';
import type { Deps } from '../deps';
import { staffActor, staffOnSite } from '../http/staff';
import { parse } from '../validate';
import { AddSiteMemberSchema, MemberIdParam } from '../members/member.schema';
import { addSiteMember, listSiteMembers, removeSiteMember } from '../members/member.service';
import { CreateKeySchema, KeyIdParam, UpdateSiteSchema } from './site.admin.schema';
import { createKey, createSiteAs, getSiteAs, listKeys, revokeKey, updateSite } from './site.admin.service';
import { CreateSiteSchema, SiteIdSchema } from './site.schema';

/** `/sites/*`: site settings, API keys and members, for the site's admins. */
export function siteRoutes(router: Router, deps: Deps): void {
  router.post('/sites', async (req, res) => {
    const actor = await staffActor(deps, req);
    const input = parse(CreateSiteSchema, req.body);
    res.status(201).json({ site: await createSiteAs(deps, actor, input) });
  });

  router.get('/sites/:siteId', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    res.json({ site: await getSiteAs(deps, actor, siteId) });
  });

  router.patch('/sites/:siteId', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    const input = parse(UpdateSiteSchema, req.body);
    res.json({ site: await updateSite(deps, actor, siteId, input) });
  });

  router.get('/sites/:siteId/keys', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    res.json({ items: await listKeys(deps, actor, siteId) });
  });

  router.post('/sites/:siteId/keys', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    const { name } = parse(CreateKeySchema, req.body ?? {});
    const { key, secret } = await createKey(deps, actor, siteId, name);
    // The secret is shown this once; only its hash is kept.
    res.status(201).json({ key, secret });
  });

  router.delete('/sites/:siteId/keys/:keyId', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    const keyId = parse(KeyIdParam, req.params.keyId, 'path');
    res.json({ key: await revokeKey(deps, actor, siteId, keyId) });
  });

  router.get('/sites/:siteId/members', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    res.json({ items: await listSiteMembers(deps, actor, siteId) });
  });

  router.post('/sites/:siteId/members', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    const input = parse(AddSiteMemberSchema, req.body);
    const { member, role, link } = await addSiteMember(deps, actor, siteId, input);
    // The same answer whether or not the email had an account: nothing here may tell them apart.
    res.status(201).json({
      member: { id: member.id, email: member.email, role },
      setPasswordUrl: `${deps.config.publicUrl}/moderate#set-password=${link.token}`,
      expiresAt: link.expiresAt.toISOString(),
    });
  });

  router.delete('/sites/:siteId/members/:memberId', async (req, res) => {
    const { actor, siteId } = await staffOnSite(deps, req);
    const memberId = parse(MemberIdParam, req.params.memberId, 'path');
    await removeSiteMember(deps, actor, siteId, memberId);
    res.status(204).end();
  });
}
