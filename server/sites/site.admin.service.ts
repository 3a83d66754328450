import { sql } from 'kysely';
import type { Site } from '../../db/schema';
import { type Db, inTransaction } from '../db';
import { errors, type ErrorDetail } from '../errors';
import type { EventBus } from '../events';
import { apiKeyView, createApiKey } from '../members/apikey.service';
import * as memberRepo from '../members/member.repo';
import { authorize, type StaffActor } from '../members/permissions';
import { writeLog } from '../audit/audit.repo';
import { words } from '../moderation/pipeline/words';
import * as repo from './site.repo';
import type { UpdateSiteInput } from './site.admin.schema';
import { type CreateSiteInput, type SiteSettings, SiteSettingsSchema } from './site.schema';
import { createSite, type OriginCache, withSettings } from './site.service';

interface AdminDeps {
  db: Db;
  bus: EventBus;
  origins: OriginCache;
}

export function siteView(site: Site) {
  const s = withSettings(site);
  return {
    id: s.id,
    name: s.name,
    origins: s.origins,
    settings: s.settings,
    createdAt: site.created_at.toISOString(),
    updatedAt: site.updated_at.toISOString(),
  };
}

/**
 * A new site. Any member who already administers a site may create one (and administers it);
 * an operator creates the very first ones with the command-line tool. Keys cannot: a site's key
 * speaks for that site only.
 */
export async function createSiteAs(deps: AdminDeps, actor: StaffActor, input: CreateSiteInput) {
  if (actor.kind !== 'member' || ![...actor.roles.values()].includes('admin')) {
    throw errors.forbidden('forbidden', 'Only an admin of a site can create sites.');
  }
  const row = await inTransaction(deps, async ({ trx }) => {
    const site = await createSite(trx, input);
    await memberRepo.upsertRole(trx, site.id, actor.id, 'admin');
    await writeLog(trx, { siteId: site.id, actor, action: 'site.create', targetType: 'site', targetId: site.id });
    return repo.findSite(trx, site.id);
  });
  deps.origins.invalidate();
  return siteView(row!);
}

export async function getSiteAs(deps: { db: Db }, actor: StaffActor, siteId: string) {
  authorize(actor, siteId, 'view_site');
  const site = await repo.findSite(deps.db, siteId);
  if (!site) throw errors.notFound('The site');
  return siteView(site);
}

/** Word list entries that can never match (no letter or digit in them) are refused, not kept. */
function checkWordLists(settings: Partial<SiteSettings>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const list of ['blockedWords', 'heldWords'] as const) {
    settings[list]?.forEach((entry, i) => {
      if (words(entry).length === 0) problems.push({ path: `settings.${list}.${i}`, message: 'must contain a letter or digit' });
    });
  }
  return problems;
}

const tidy = (list: string[] | undefined) => (list ? [...new Set(list.map((w) => w.trim()).filter(Boolean))] : undefined);

export async function updateSite(deps: AdminDeps, actor: StaffActor, siteId: string, input: UpdateSiteInput) {
  authorize(actor, siteId, 'administer');
  const patch: Partial<SiteSettings> = { ...input.settings };
  if (patch.blockedWords) patch.blockedWords = tidy(patch.blockedWords);
  if (patch.heldWords) patch.heldWords = tidy(patch.heldWords);
  const problems = checkWordLists(patch);
  if (problems.length) throw errors.validation('Some settings need attention.', problems);

  const updated = await inTransaction(deps, async ({ trx }) => {
    // Locked: two admins changing different settings at once both keep their change.
    const site = await trx.selectFrom('sites').selectAll().where('id', '=', siteId).forUpdate().executeTakeFirst();
    if (!site) throw errors.notFound('The site');
    const current = withSettings(site).settings;
    const settings = SiteSettingsSchema.parse({ ...current, ...patch, sso: { ...current.sso, ...patch.sso }, risk: { ...current.risk, ...patch.risk } });
    const row = await trx
      .updateTable('sites')
      .set({
        ...(input.name ? { name: input.name } : {}),
        ...(input.origins ? { origins: JSON.stringify([...new Set(input.origins)]) } : {}),
        settings: JSON.stringify(settings),
        updated_at: sql`now()`,
      })
      .where('id', '=', siteId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeLog(trx, {
      siteId,
      actor,
      action: 'site.update',
      targetType: 'site',
      targetId: siteId,
      details: {
        changed: [...(input.name ? ['name'] : []), ...(input.origins ? ['origins'] : []), ...Object.keys(patch).map((k) => `settings.${k}`)],
      },
    });
    return row;
  });
  deps.origins.invalidate();
  return siteView(updated);
}

export async function listKeys(deps: { db: Db }, actor: StaffActor, siteId: string) {
  authorize(actor, siteId, 'administer');
  return (await memberRepo.listApiKeys(deps.db, siteId)).map(apiKeyView);
}

export async function createKey(deps: AdminDeps, actor: StaffActor, siteId: string, name: string) {
  authorize(actor, siteId, 'administer');
  return inTransaction(deps, async ({ trx }) => {
    const { key, secret } = await createApiKey(trx, { siteId, name, createdBy: actor.kind === 'member' ? actor.id : null });
    await writeLog(trx, { siteId, actor, action: 'key.create', targetType: 'key', targetId: key.id, details: { name } });
    return { key: apiKeyView(key), secret };
  });
}

export async function revokeKey(deps: AdminDeps, actor: StaffActor, siteId: string, keyId: string) {
  authorize(actor, siteId, 'administer');
  return inTransaction(deps, async ({ trx, emit }) => {
    const key = await memberRepo.findApiKey(trx, siteId, keyId);
    if (!key) throw errors.notFound('The key');
    const revoked = await memberRepo.revokeApiKey(trx, keyId);
    emit('staff.revoked', { apiKeyId: key.id });
    if (revoked) await writeLog(trx, { siteId, actor, action: 'key.revoke', targetType: 'key', targetId: key.id, details: { name: key.name } });
    return apiKeyView(revoked ?? key);
  });
}
