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
 *
 * An origin the cached list lacks is looked up again before it is refused, unless the list was read
 * after the request came: it may be older than the site (added by another instance, the `parley`
 * command or an import, none of which can invalidate this process's copy). Those lookups are shared
 * and at most one per `recheckMs`, so requests from a stranger's origin cost the database a query a
 * quarter-second at most, and each of them waits that long at most before its refusal. `invalidate`
 * (a site changed here) also drops a load under way, which may have read the list before the change.
 */
export function createOriginCache(db: Db, ownOrigin: string, ttlMs = 5_000, recheckMs = 250) {
  /** A list of origins, and when the query that read it began (`performance.now()`). */
  type Loaded = { at: number; origins: Set<string> };
  let cached: Loaded | undefined;
  let loading: Promise<Loaded> | undefined;
  let rechecking: Promise<Loaded> | undefined;
  let lastRecheck = -Infinity;
  let generation = 0;
  function query(): Promise<Loaded> {
    const [at, asOf] = [performance.now(), generation];
    return repo.allOrigins(db).then((list) => {
      const loaded = { at, origins: new Set([ownOrigin, ...list]) };
      if (asOf === generation && (!cached || cached.at <= at)) cached = loaded;
      return loaded;
    });
  }
  function load(): Promise<Loaded> {
    if (cached && performance.now() - cached.at < ttlMs) return Promise.resolve(cached);
    if (!loading) {
      const started = query().finally(() => {
        if (loading === started) loading = undefined;
      });
      loading = started;
    }
    return loading;
  }
  function recheck(): Promise<Loaded> {
    rechecking ??= new Promise((resolve) => setTimeout(resolve, Math.max(0, lastRecheck + recheckMs - performance.now())))
      .then(() => {
        lastRecheck = performance.now();
        return query();
      })
      .finally(() => {
        rechecking = undefined;
      });
    return rechecking;
  }
  return {
    async isAllowed(origin: string): Promise<boolean> {
      const asked = performance.now();
      const loaded = await load();
      if (loaded.origins.has(origin)) return true;
      // A list read since the request came is the answer already; an older one is looked at again.
      if (loaded.at > asked) return false;
      return (await recheck()).origins.has(origin);
    },
    invalidate() {
      cached = undefined;
      loading = undefined;
      generation++;
    },
  };
}

export type OriginCache = ReturnType<typeof createOriginCache>;
