import crypto from 'node:crypto';
import { CompiledQuery } from 'kysely';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db';
import { errors } from '../errors';

/**
 * Login throttling (rate-limiter-flexible), counted in the database so every instance shares the
 * counts. The store client is a thin bridge from the library's `query({text, values})` to Kysely,
 * which works the same over pg and PGlite. Table `rate_limits` comes from a migration.
 *
 * Points are taken before the password is checked, so parallel guesses cannot slip past a limit,
 * and a blocked caller never costs an argon2 hash. A success clears the account's count; the
 * network's count keeps every attempt (a refund there would let one valid account buy unlimited
 * guesses at others).
 */
export interface LoginLimits {
  /** Failed attempts on one account (from anywhere) before it is throttled, and the window. */
  accountPoints: number;
  accountSeconds: number;
  /** Attempts from one network (any accounts) before it is throttled, and the window. */
  networkPoints: number;
  networkSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  accountPoints: 10,
  accountSeconds: 15 * 60,
  networkPoints: 30,
  networkSeconds: 15 * 60,
};

const PURGE_EVERY_MS = 10 * 60_000;

function storeClient(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const result = await db.executeQuery(CompiledQuery.raw(q.text, q.values ?? []));
      return { rows: result.rows, rowCount: result.rows.length || Number(result.numAffectedRows ?? 0) };
    },
  };
}

/** Keys are hashes: neither an email nor a network is written in clear. */
const keyOf = (value: string) => crypto.createHash('sha256').update(value).digest('base64url').slice(0, 40);

export function createLoginThrottle(db: Db, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
  // The library's own purge runs on a timer; ours runs during sign-ins, so no timer outlives a server.
  const common = { storeClient: storeClient(db), storeType: 'client', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false };
  let purgedAt = Date.now();
  const account = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login_account',
    points: limits.accountPoints,
    duration: limits.accountSeconds,
  });
  const network = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login_network',
    points: limits.networkPoints,
    duration: limits.networkSeconds,
  });

  async function take(limiter: RateLimiterPostgres, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw errors.rateLimited('Too many sign-in attempts. Wait a little before trying again.', err.msBeforeNext / 1000);
      }
      throw err;
    }
  }

  return {
    /** Takes one attempt for the account and the network, or throws 429 with Retry-After. */
    async attempt(email: string, networkHash: string | null): Promise<void> {
      if (Date.now() - purgedAt > PURGE_EVERY_MS) {
        purgedAt = Date.now();
        // Both limiters share the table; a failed purge only leaves stale rows for the next one.
        void db.deleteFrom('rate_limits').where('expire', '<', Date.now() - 3600_000).execute().catch(() => {});
      }
      await take(network, keyOf(networkHash ?? 'unknown'));
      await take(account, keyOf(email));
    },
    async succeeded(email: string): Promise<void> {
      await account.delete(keyOf(email));
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
