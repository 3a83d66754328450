import type { Executor } from '../db';
import { type Counts, emptyCounts, type Model, modelOf } from './bayes';
import { basePart } from './base-model';
import * as repo from './abuse.repo';

/** A row written this long before it committed is still picked up (see refresh). */
const COMMIT_LAG_MS = 60_000;

interface SiteModel {
  version: string;
  counts: Counts;
  /** The newest `updated_at` read; the next read starts a little before it. */
  seen: Date | null;
}

/**
 * Each instance keeps every site's counts in memory and reads only what changed when the site's
 * version moved (it moves with every sample, on any instance). Rows carry absolute counts, so reading
 * one twice is harmless: each refresh starts COMMIT_LAG_MS before the newest row seen, so a
 * decision whose transaction committed after a later one is not missed.
 */
export interface ModelCache {
  /**
   * The site's model, given the version the caller read with its other checks (null: never
   * trained), and how many of the site's own texts it learnt.
   */
  modelFor(db: Executor, siteId: string, version: string | null): Promise<{ model: Model; learnt: number }>;
}

export function createModelCache(): ModelCache {
  const sites = new Map<string, SiteModel>();
  const refreshing = new Map<string, Promise<void>>();

  async function refresh(db: Executor, siteId: string, entry: SiteModel): Promise<void> {
    const since = entry.seen ? new Date(entry.seen.getTime() - COMMIT_LAG_MS) : null;
    const [totals, rows] = await Promise.all([repo.totalsOf(db, siteId), repo.featuresSince(db, siteId, since)]);
    for (const r of rows) {
      entry.counts.features.set(r.feature, [r.spam, r.ham]);
      if (!entry.seen || r.updated_at > entry.seen) entry.seen = r.updated_at;
    }
    if (totals) {
      Object.assign(entry.counts, { spamDocs: totals.spam_docs, hamDocs: totals.ham_docs, spamTokens: totals.spam_tokens, hamTokens: totals.ham_tokens });
      entry.version = String(totals.version);
    }
  }

  return {
    async modelFor(db, siteId, version) {
      let entry = sites.get(siteId);
      if (!entry) sites.set(siteId, (entry = { version: '0', counts: emptyCounts(), seen: null }));
      if (version !== null && version !== entry.version) {
        let running = refreshing.get(siteId);
        if (!running) {
          running = refresh(db, siteId, entry).finally(() => refreshing.delete(siteId));
          refreshing.set(siteId, running);
        }
        await running;
      }
      const learnt = entry.counts.spamDocs + entry.counts.hamDocs;
      return { model: modelOf(basePart(learnt), entry.counts), learnt };
    },
  };
}
