import crypto from 'node:crypto';
import net from 'node:net';
import { sql } from 'kysely';
import type { Db, Executor } from '../db';

/**
 * Network addresses are never stored: only an HMAC under a secret that changes every UTC day. The
 * secrets live in the database (table `hash_keys`) so every instance hashes alike; the retention job
 * deletes a day's secret once the longest retention period has passed, after which that day's hashes
 * cannot be linked to any address by anyone, including us.
 *
 * How lookups survive the daily rotation: a hash is `<day>:<mac>`, and the same address hashes
 * differently each day. A check that looks back in time ("comments from this network in the last ten
 * minutes", "is this network banned") asks for the address's hash under each day it cares about —
 * `recentHashes()` gives today's and yesterday's, enough for any window up to a day; `hashesWithin()`
 * gives one per day whose secret still exists, for bans that last longer. A lookup never needs the
 * address back, and a network ban can last at most as long as the secrets are kept: past that, no one
 * can tell whether a new visitor is the banned network, which is the point.
 *
 * When PARLEY_SECRET is set, the stored daily secret is combined with it, so a copy of the database
 * alone is not enough to test guessed addresses against the hashes (IPv4 is small enough to try all).
 *
 * IPv6 addresses are reduced to their /64 first: one household or phone gets a whole /64, so a
 * full-address hash would let anyone dodge a ban by changing the last bits.
 */
export function networkOf(ip: string): string {
  let address = ip.trim();
  if (address.startsWith('::ffff:') && net.isIPv4(address.slice(7))) address = address.slice(7);
  if (net.isIPv4(address)) return address;
  if (!net.isIPv6(address)) return 'unknown';
  const groups = expandIPv6(address);
  return groups.slice(0, 4).join(':') + '::/64';
}

function expandIPv6(address: string): string[] {
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = address.includes('::') ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

export const DAY_MS = 86_400_000;

export function utcDay(date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

/** The day a hash was made, from its `<day>:` prefix. */
export function dayOfHash(hash: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2}):/.exec(hash);
  return match ? match[1]! : null;
}

/** Past days' secrets are re-read at most this often: cheap, and a destroyed key is forgotten soon. */
const PAST_SECRETS_TTL_MS = 10 * 60_000;

export function createNetworkHasher(db: Db, options: { pepper?: string } = {}) {
  const secrets = new Map<string, Promise<Buffer>>();
  let past: { at: number; byDay: Map<string, Buffer> } | undefined;

  const derive = (stored: string): Buffer => {
    const raw = Buffer.from(stored, 'base64');
    return options.pepper ? crypto.createHmac('sha256', options.pepper).update('parley network key').update(raw).digest() : raw;
  };

  /** Today's secret (or any day's), created on first use by whichever instance gets there first. */
  async function secretFor(day: string): Promise<Buffer> {
    let secret = secrets.get(day);
    if (!secret) {
      secret = (async () => {
        await db
          .insertInto('hash_keys')
          .values({ day, secret: crypto.randomBytes(32).toString('base64') })
          .onConflict((oc) => oc.column('day').doNothing())
          .execute();
        const row = await db.selectFrom('hash_keys').select('secret').where('day', '=', day).executeTakeFirstOrThrow();
        return derive(row.secret);
      })();
      secrets.set(day, secret);
      secret.catch(() => secrets.delete(day));
      // Keep only today's and yesterday's secrets in memory.
      for (const key of secrets.keys()) if (key < utcDay(new Date(Date.now() - 2 * DAY_MS))) secrets.delete(key);
    }
    return secret;
  }

  /** Secrets of past days that still exist; a destroyed day is never recreated by a lookup. */
  async function pastSecrets(now: Date): Promise<Map<string, Buffer>> {
    if (past && now.getTime() - past.at < PAST_SECRETS_TTL_MS && past.at <= now.getTime()) return past.byDay;
    const rows = await db.selectFrom('hash_keys').select(['day', 'secret']).execute();
    past = { at: now.getTime(), byDay: new Map(rows.map((r) => [r.day, derive(r.secret)])) };
    return past.byDay;
  }

  const mac = (secret: Buffer, day: string, ip: string) =>
    `${day}:${crypto.createHmac('sha256', secret).update(networkOf(ip)).digest('base64url').slice(0, 32)}`;

  /**
   * The hashes of the networks seen in the last minute: a reader posting, voting and liking hashes
   * the same address again and again. In memory only, for a minute of this server's time, a few
   * thousand at most (the address is in memory for the request anyway); never written anywhere.
   */
  const recent = new Map<string, { hash: string; at: number }>();
  const RECENT_MS = 60_000;
  const RECENT_MAX = 4096;
  function rememberedHash(secret: Buffer, day: string, ip: string): string {
    const key = `${day} ${ip}`;
    const now = Date.now();
    const hit = recent.get(key);
    if (hit && now - hit.at < RECENT_MS) return hit.hash;
    const hash = mac(secret, day, ip);
    recent.delete(key);
    if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
    recent.set(key, { hash, at: now });
    return hash;
  }

  /**
   * One hash per day for the last `days` days (today included) whose secret still exists, newest
   * first: for checks that reach further back, such as a network ban made last week or a poll's
   * per-network cap (`Infinity`: every day whose secret is still kept).
   */
  async function hashesWithin(ip: string | undefined | null, days: number, now = new Date()): Promise<string[]> {
    if (!ip) return [];
    const today = utcDay(now);
    const out = [mac(await secretFor(today), today, ip)];
    // Only days whose secret exists can match anything: at most the longest retention period's worth.
    const from = utcDay(new Date(now.getTime() - (Math.min(days, 100_000) - 1) * DAY_MS));
    const known = new Map(await pastSecrets(now));
    for (const [day, secret] of secrets) if (!known.has(day)) known.set(day, await secret);
    const past = [...known.keys()].filter((day) => day < today && day >= from).sort().reverse();
    for (const day of past) out.push(mac(known.get(day)!, day, ip));
    return out;
  }

  return {
    /** The hash of a network for today (or a given day); `null` when there is no address. */
    async hash(ip: string | undefined | null, date = new Date()): Promise<string | null> {
      if (!ip) return null;
      const day = utcDay(date);
      return rememberedHash(await secretFor(day), day, ip);
    },

    /**
     * Today's and yesterday's hashes of a network: what a flood or duplicate check within the last
     * 24 hours matches against, so a limit reached at 23:59 still holds at 00:01.
     */
    async recentHashes(ip: string | undefined | null, now = new Date()): Promise<string[]> {
      return hashesWithin(ip, 2, now);
    },

    hashesWithin,

    /** Drops cached secrets of days before `day` (after the retention job destroyed them). */
    forgetBefore(day: string) {
      for (const key of secrets.keys()) if (key < day) secrets.delete(key);
      past = undefined;
      recent.clear();
    },
  };
}
export type NetworkHasher = ReturnType<typeof createNetworkHasher>;

/**
 * Blanks the network hashes a site's rows of `table` keep past the retention period: `table` holds
 * `ip_hash` and `created_at`, and reaches its site through `parent` (`table.<via> = parent.id`).
 */
export async function forgetNetworksBefore(
  db: Executor,
  rows: { table: 'reactions' | 'poll_ballots'; parent: 'comments' | 'polls'; via: 'comment_id' | 'poll_id' },
  siteId: string,
  before: Date,
): Promise<number> {
  const result = await sql`
    update ${sql.table(rows.table)} r set ip_hash = null
    from ${sql.table(rows.parent)} p
    where p.id = r.${sql.ref(rows.via)} and p.site_id = ${siteId} and r.ip_hash is not null and r.created_at < ${before}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
