import type { Site } from '../../db/schema';
import type { Db } from '../db';
import { errors } from '../errors';
import * as repo from './site.repo';
import { type CreateSiteInput, CreateSiteSchema, type SiteSettings, SiteSettingsSchema } from './site.schema';

export interface SiteWithSettings extends Omit<Site, 'settings' | 'origins'> {
  origins: string[];
  settings: SiteSettings;
}

export function withSettings(site: Site): SiteWithSettings {
  return {
    ...site,
    origins: site.origins as unknown as string[],
    settings: SiteSettingsSchema.parse(site.settings ?? {}),
  };
}

export async function getSite(db: Db, id: string): Promise<SiteWithSettings> {
  const site = await repo.findSite(db, id);
  if (!site) throw errors.notFound('The site');
  return withSettings(site);
}

export async function createSite(db: Db, input: CreateSiteInput): Promise<SiteWithSettings> {
  const parsed = CreateSiteSchema.parse(input);
  if (await repo.findSite(db, parsed.id)) {
    throw errors.conflict('site_exists', `A site with the id "${parsed.id}" already exists.`);
  }
  return withSettings(await repo.insertSite(db, parsed));
}

/**
 * The union of every site's allowed origins, for CORS and the socket handshake. Cached briefly:
 * origins change rarely, and a request must not pay a query for its preflight.
 */
export function createOriginCache(db: Db, ownOrigin: string, ttlMs = 5_000) {
  let cached: { at: number; origins: Set<string> } | undefined;
  let loading: Promise<Set<string>> | undefined;
  async function load(): Promise<Set<string>> {
    if (cached && Date.now() - cached.at < ttlMs) return cached.origins;
    loading ??= repo
      .allOrigins(db)
      .then((list) => {
        cached = { at: Date.now(), origins: new Set([ownOrigin, ...list]) };
        return cached.origins;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }
  return {
    async isAllowed(origin: string): Promise<boolean> {
      return (await load()).has(origin);
    },
    invalidate() {
      cached = undefined;
    },
  };
}
export type OriginCache = ReturnType<typeof createOriginCache>;
