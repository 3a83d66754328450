import type { Logger } from 'pino';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db';
import { errors } from '../errors';
import { loadRedis } from '../redis';

/**
 * Flood limits: how many writes one commenter, and one hashed network, may make in a window. The
 * counters live where every instance sees them — Redis when REDIS_URL is set, otherwise the
 * PostgreSQL `rate_limits` table — and in memory on the embedded database (one process).
 */
export type FloodAction = 'comment' | 'edit' | 'reaction' | 'flag' | 'profile' | 'thread' | 'signIn' | 'signInCode';

interface Budget {
  points: number;
  /** Seconds. */
  duration: number;
}

/**
 * A person types a comment in tens of seconds; a shared office or phone network carries many
 * people, so its budget is wider. Reactions are cheap clicks; flags feed moderators, so fewer.
 */
export const FLOOD_BUDGETS: Record<FloodAction, { commenter: Budget; network: Budget }> = {
  comment: { commenter: { points: 5, duration: 60 }, network: { points: 30, duration: 60 } },
  edit: { commenter: { points: 15, duration: 60 }, network: { points: 60, duration: 60 } },
  reaction: { commenter: { points: 60, duration: 60 }, network: { points: 300, duration: 60 } },
  flag: { commenter: { points: 20, duration: 3600 }, network: { points: 100, duration: 3600 } },
  profile: { commenter: { points: 10, duration: 60 }, network: { points: 60, duration: 60 } },
  // New threads only (resolving an existing one is free), keyed by site and network: a page view
  // creates at most one, so 20 an hour is a busy newsroom's worth, not a spammer's.
  thread: { commenter: { points: 20, duration: 3600 }, network: { points: 20, duration: 3600 } },
  // Sign-in, per network only (there is no commenter yet). A reader signs in once per device and
  // account, so 60 a minute leaves room for a whole office behind one address, not for guessing.
  signIn: { commenter: { points: 60, duration: 60 }, network: { points: 60, duration: 60 } },
  // Exchange codes come from the publisher's own server, one address for all its readers: a wide
  // budget that still stops a leaked key from filling the table.
  signInCode: { commenter: { points: 600, duration: 60 }, network: { points: 600, duration: 60 } },
};

export interface FloodWho {
  commenterId: string | null;
  network: string | null;
}

export interface FloodGuard {
  readonly store: 'off' | 'memory' | 'postgres' | 'redis';
  /** Counts one write; throws a 429 error (with Retry-After) when either budget is spent. */
  consume(action: FloodAction, who: FloodWho): Promise<void>;
  /** Forgets every counter held in memory (tests; the shared stores are emptied with the database). */
  reset(): void;
  close(): Promise<void>;
}

type Limiters = Record<FloodAction, { commenter: RateLimiterAbstract; network: RateLimiterAbstract }>;

function buildLimiters(make: (keyPrefix: string, budget: Budget, first: boolean) => RateLimiterAbstract): Limiters {
  let first = true;
  const out = {} as Limiters;
  for (const action of Object.keys(FLOOD_BUDGETS) as FloodAction[]) {
    const budget = FLOOD_BUDGETS[action];
    out[action] = {
      commenter: make(`flood:${action}:c`, budget.commenter, first),
      network: make(`flood:${action}:n`, budget.network, false),
    };
    first = false;
  }
  return out;
}

const memoryLimiters = () =>
  buildLimiters((keyPrefix, b) => new RateLimiterMemory({ keyPrefix, points: b.points, duration: b.duration }));

export async function createFloodGuard(options: { config: Config; database: DatabaseHandle; log: Logger }): Promise<FloodGuard> {
  const { config, database, log } = options;
  if (!config.rateLimits) {
    return { store: 'off', consume: async () => {}, reset() {}, close: async () => {} };
  }

  let store: FloodGuard['store'];
  let limiters: Limiters;
  let close = async () => {};
  if (config.redisUrl) {
    store = 'redis';
    const client = loadRedis().createClient({ url: config.redisUrl });
    client.on('error', (err: Error) => log.warn({ err: err.message }, 'flood limits: redis connection problem'));
    // Wait briefly for the connection, so the first requests count in Redis rather than in memory.
    const connecting = client.connect().catch((err: Error) => log.warn({ err: err.message }, 'flood limits: redis is unreachable'));
    await Promise.race([connecting, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    // While Redis is away, each instance keeps counting in memory rather than letting floods through.
    limiters = buildLimiters(
      (keyPrefix, b) =>
        new RateLimiterRedis({
          storeClient: client,
          useRedisPackage: true,
          rejectIfRedisNotReady: true,
          keyPrefix: `${config.redisKeyPrefix}${keyPrefix}`,
          points: b.points,
          duration: b.duration,
          insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: b.points, duration: b.duration }),
        }),
    );
    close = async () => {
      if (client.isOpen) await client.close().catch(() => {});
      else client.destroy();
    };
  } else if (database.kind === 'postgres' && database.pool) {
    store = 'postgres';
    const pool = database.pool;
    limiters = buildLimiters(
      (keyPrefix, b, first) =>
        new RateLimiterPostgres({
          storeClient: pool,
          storeType: 'pool',
          tableName: 'rate_limits',
          // The migration created the table; only one limiter sweeps expired rows (they share it).
          tableCreated: true,
          clearExpiredByTimeout: first,
          keyPrefix,
          points: b.points,
          duration: b.duration,
        }),
    );
  } else {
    store = 'memory';
    limiters = memoryLimiters();
  }

  async function take(limiter: RateLimiterAbstract, key: string): Promise<number> {
    try {
      await limiter.consume(key);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, err.msBeforeNext);
      throw err; // the store itself failed: a database outage answers 503
    }
  }

  return {
    store,
    async consume(action, who) {
      const pair = limiters[action];
      let waitMs = 0;
      if (who.commenterId) waitMs = Math.max(waitMs, await take(pair.commenter, who.commenterId));
      if (who.network) waitMs = Math.max(waitMs, await take(pair.network, who.network));
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        throw errors.rateLimited(`You are doing that too often. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`, seconds);
      }
    },
    reset() {
      if (store === 'memory') limiters = memoryLimiters();
    },
    close: () => close(),
  };
}
