import type { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps';
import { errors } from '../errors';
import { parse } from '../validate';
import * as siteRepo from '../sites/site.repo';
import * as repo from './thread.repo';

/** How many article keys one request may ask about: an article list page, not a site dump. */
export const MAX_COUNT_KEYS = 100;

export const CountsQuery = z.object({
  site: z.string().min(1).max(63),
  key: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().trim().min(1).max(500)).min(1).max(MAX_COUNT_KEYS))
    .meta({ description: `Repeat for each article: key=a&key=b (at most ${MAX_COUNT_KEYS})` }),
});

export const CountsSchema = z.object({
  counts: z.record(z.string(), z.number().int()).meta({ description: 'Approved comments per key; 0 for an unknown key' }),
});

/** Comment counts for an article list. Public and cacheable for a few seconds: counts are not private. */
export function countRoutes(router: Router, deps: Deps): void {
  router.get('/counts', async (req, res) => {
    const query = parse(CountsQuery, req.query, 'query');
    const site = await siteRepo.findSite(deps.db, query.site);
    if (!site) throw errors.notFound('The site');
    const keys = [...new Set(query.key)];
    const rows = await repo.countsByKeys(deps.db, site.id, keys);
    const found = new Map(rows.map((r) => [r.key, r.comment_count]));
    // fromEntries defines own properties, so a key such as "__proto__" is just a key.
    const counts = Object.fromEntries(keys.map((k) => [k, found.get(k) ?? 0]));
    res.setHeader('Cache-Control', 'public, max-age=15');
    res.json({ counts });
  });
}
