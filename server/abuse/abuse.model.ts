import type { Executor } from '../db';
import { type Counts, emptyCounts, type Model, modelOf } from './bayes';
import { basePart } from './base-model';
import * as repo from './abuse.repo';
import type { Regression } from './regression';
import { MATURE_AT } from './signals/classifier';

/** A row written this long before it committed is still picked up (see refresh). */
const COMMIT_LAG_MS = 60_000;

interface SiteModel {
  version: string;
  counts: Counts;
  /** The newest `updated_at` read; the next read starts a little before it. */
  seen: Date | null;
  regression: Regression | null;
  /** When the regression read last was fitted. */
  regressionFitted: Date | null;
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
   * trained), how many of the site's own texts it learnt, and its regression once one was fitted.
   */
  modelFor(db: Executor, siteId: string, version: string | null): Promise<{ model: Model; learnt: number; regression: Regression | null }>;
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
    // A mature site's regression: a new fit moves the version too (abuse.repo.ts saveRegression).
    if (entry.counts.spamDocs + entry.counts.hamDocs >= MATURE_AT) {
      const fit = await repo.regressionOf(db, siteId, entry.regressionFitted);
      if (fit) {
        entry.regressionFitted = fit.fitted_at;
        // Weights are stored only for a fit of at least MATURE_AT samples (abuse.service.ts fitRegressions).
        entry.regression = fit.weights ? { bias: fit.bias, weights: new Map(Object.entries(fit.weights)) } : null;
      }
    }
  }

  return {
    async modelFor(db, siteId, version) {
      let entry = sites.get(siteId);
      if (!entry) sites.set(siteId, (entry = { version: '0', counts: emptyCounts(), seen: null, regression: null, regressionFitted: null }));
      if (version !== null && version !== entry.version) {
        let running = refreshing.get(siteId);
        if (!running) {
          running = refresh(db, siteId, entry).finally(() => refreshing.delete(siteId));
          refreshing.set(siteId, running);
        }
        await running;
      }
      const learnt = entry.counts.spamDocs + entry.counts.hamDocs;
      return { model: modelOf(basePart(learnt), entry.counts), learnt, regression: entry.regression };
    },
  };
}
