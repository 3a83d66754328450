import { pruneUsedChallenges } from '../abuse/proof.service';
import type { Db } from '../db';
import * as siteRepo from '../sites/site.repo';
import { withSettings } from '../sites/site.service';
import { scrubEvents } from './erase.repo';
import { privacyExtensions } from './extensions';
import { DAY_MS, type NetworkHasher, utcDay } from './network';
import * as repo from './retention.repo';

export interface SiteRetentionReport {
  siteId: string;
  networkHashes: number;
  userAgents: number;
  rejectedComments: number;
  [extension: string]: number | string;
}

export interface RetentionReport {
  startedAt: string;
  sites: SiteRetentionReport[];
  idempotencyKeys: number;
  privacyRequests: number;
  hashKeys: number;
  /** Claims of proof-of-work challenges past their expiry (they name nobody). */
  usedChallenges: number;
  /** Daily network secrets older than this day no longer exist. */
  keysKeptFrom: string;
}

export const DEFAULT_RETENTION_DAYS = 30;

/** The longest network retention of any site: how long a day's hashing secret must live. */
export async function longestRetentionDays(db: Db): Promise<number> {
  const sites = (await siteRepo.listSites(db)).map(withSettings);
  return Math.max(DEFAULT_RETENTION_DAYS, ...sites.map((s) => s.settings.retentionDays));
}

/**
 * The first day whose secret is still kept: a hash made late on a day is erased `retention` days
 * later, so its day's secret must outlive it by one more day.
 */
export function firstKeptKeyDay(now: Date, longestDays: number): string {
  return utcDay(new Date(now.getTime() - (longestDays + 1) * DAY_MS));
}

/**
 * Purges what each site keeps past its periods: network hashes and user agents after
 * `retentionDays`, rejected and spam comments after `rejectedRetentionDays`; then, for everyone,
 * expired idempotency keys, unused lost-token links, and the daily network secrets older than the
 * longest retention period (after which the hashes that remain anywhere are unlinkable).
 */
export async function runRetention(deps: { db: Db; network?: NetworkHasher }, now = new Date()): Promise<RetentionReport> {
  const { db } = deps;
  const sites = (await siteRepo.listSites(db)).map(withSettings);
  const report: RetentionReport = {
    startedAt: now.toISOString(),
    sites: [],
    idempotencyKeys: 0,
    privacyRequests: 0,
    hashKeys: 0,
    usedChallenges: 0,
    keysKeptFrom: '',
  };

  for (const site of sites) {
    const { retentionDays, rejectedRetentionDays } = site.settings;
    const entry: SiteRetentionReport = { siteId: site.id, networkHashes: 0, userAgents: 0, rejectedComments: 0 };

    const networkBefore = new Date(now.getTime() - retentionDays * DAY_MS);
    for (;;) {
      const batch = await repo.purgeNetworkBatch(db, site.id, networkBefore);
      entry.networkHashes += batch.hashes;
      entry.userAgents += batch.agents;
      if (batch.rows < repo.BATCH) break;
    }

    const rejectedBefore = new Date(now.getTime() - rejectedRetentionDays * DAY_MS);
    for (;;) {
      const batch = await repo.expiredRejected(db, site.id, rejectedBefore);
      if (batch.length === 0) break;
      await db.transaction().execute(async (trx) => {
        const ids = batch.map((c) => c.id);
        await scrubEvents(trx, [...new Set(batch.map((c) => c.thread_id))], ids);
        await repo.blankComments(trx, batch.filter((c) => c.referenced).map((c) => c.id));
        await repo.deleteComments(trx, batch.filter((c) => !c.referenced).map((c) => c.id));
      });
      entry.rejectedComments += batch.length;
      if (batch.length < repo.BATCH) break;
    }

    for (const extension of privacyExtensions) {
      if (!extension.retention) continue;
      const counts = await extension.retention(db, { now, site: { id: site.id, retentionDays, rejectedRetentionDays } });
      for (const [key, value] of Object.entries(counts)) entry[key] = value;
    }
    report.sites.push(entry);
  }

  report.idempotencyKeys = await repo.purgeIdempotencyKeys(db, now);
  report.privacyRequests = await repo.purgeExpiredRequests(db, now);
  report.usedChallenges = await pruneUsedChallenges(db, now);
  const longest = Math.max(DEFAULT_RETENTION_DAYS, ...sites.map((s) => s.settings.retentionDays));
  report.keysKeptFrom = firstKeptKeyDay(now, longest);
  report.hashKeys = await repo.destroyHashKeysBefore(db, report.keysKeptFrom);
  deps.network?.forgetBefore(report.keysKeptFrom);
  return report;
}

/** Totals over sites, for logs and the command line. */
export function summarise(report: RetentionReport) {
  const sum = (key: 'networkHashes' | 'userAgents' | 'rejectedComments') => report.sites.reduce((n, s) => n + s[key], 0);
  return {
    networkHashes: sum('networkHashes'),
    userAgents: sum('userAgents'),
    rejectedComments: sum('rejectedComments'),
    idempotencyKeys: report.idempotencyKeys,
    privacyRequests: report.privacyRequests,
    hashKeys: report.hashKeys,
    usedChallenges: report.usedChallenges,
  };
}

/** The report in plain lines, for the command line. */
export function formatRetention(report: RetentionReport): string {
  const t = summarise(report);
  const lines = [
    `Retention run at ${report.startedAt}:`,
    ...report.sites.map((s) => {
      const { siteId, networkHashes, userAgents, rejectedComments, ...more } = s;
      const extra = Object.entries(more).map(([key, value]) => `, ${value} ${key.replace(/([A-Z])/g, ' $1').toLowerCase()}`);
      return `  site ${siteId}: ${networkHashes} network hashes, ${userAgents} user agents, ${rejectedComments} rejected or spam comments${extra.join('')}`;
    }),
    `  ${t.networkHashes} network hashes and ${t.userAgents} user agents erased in all`,
    `  ${t.rejectedComments} rejected or spam comments deleted`,
    `  ${t.idempotencyKeys} expired idempotency keys deleted`,
    `  ${t.privacyRequests} expired privacy request links deleted`,
    `  ${t.usedChallenges} expired proof-of-work claims deleted`,
    `  ${t.hashKeys} daily network secrets destroyed (secrets are kept from ${report.keysKeptFrom})`,
  ];
  return lines.join('\n') + '\n';
}
