import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Config } from '../config';
import { type DatabaseHandle, PREPARED_PREFIX } from '../db';
import { loadRedis, loadRedisStreamsAdapter } from '../redis';

export interface AdapterChoice {
  kind: 'memory' | 'postgres' | 'redis';
  /** Passed to the Socket.IO server; undefined keeps the in-memory adapter (one instance). */
  adapter?: (nsp: unknown) => unknown;
  /** Releases what the adapter holds outside Socket.IO (the Redis connection). */
  close(): Promise<void>;
}

/** The attachments table the Postgres adapter uses (created by migration 003_realtime). */
export const ATTACHMENTS_TABLE = 'socket_io_attachments';

/**
 * NOTIFY payloads must stay under 8000 bytes; the adapter parks anything at or over this threshold
 * in the attachments table. Its 0.5.0 release fails on a payload of exactly 8000 bytes, so the
 * threshold stays well below the limit (a comment event with a long body goes through the table).
 */
const NOTIFY_THRESHOLD = 7000;

/**
 * Every instance must deliver every event to its own sockets, whichever instance handled the write:
 * the Redis Streams adapter when REDIS_URL is set, the Postgres adapter (LISTEN/NOTIFY on the same
 * database) on PostgreSQL, and the in-memory adapter on the embedded database, which only one
 * process can open anyway.
 */
export async function chooseAdapter(config: Config, database: DatabaseHandle, log: Logger): Promise<AdapterChoice> {
  if (config.redisUrl) return redisAdapter(config.redisUrl, config.redisKeyPrefix, log);
  if (database.kind === 'postgres' && database.pool) {
    const notifies = coalescingNotifies(database.pool);
    const adapter = createPostgresAdapter(notifies.pool, {
      tableName: ATTACHMENTS_TABLE,
      payloadThreshold: NOTIFY_THRESHOLD,
      errorHandler: (err: Error) => log.warn({ err: err.message }, 'live events: postgres adapter error'),
    });
    // Closing announces itself to the other instances: that message leaves before the pool closes.
    return { kind: 'postgres', adapter, close: () => notifies.drained() };
  }
  return { kind: 'memory', close: async () => {} };
}

/** The statement the Postgres adapter sends each message with (`PubSubClient.publish`). */
const ADAPTER_NOTIFY = 'SELECT pg_notify($1, $2)';

/**
 * The pool as the Postgres adapter sees it, with its NOTIFYs sent together: the adapter sends one
 * statement per message (a pool checkout, a round trip and a transaction each), and a batch of new
 * comments publishes its events in one go. Messages sent in the same turn of the event loop leave in
 * one statement, and while one statement is on its way the next messages gather for the next: one
 * at a time, so they arrive in the order they were sent. PostgreSQL delivers an identical channel
 * and payload only once per transaction, so a message repeated in a group starts a group of its
 * own. Everything else (LISTEN, attachments, cleanup) goes to the pool as it is.
 */
export function coalescingNotifies(pool: pg.Pool): { pool: pg.Pool; drained(): Promise<void> } {
  type Pending = { channel: string; payload: string; done: () => void; failed: (err: unknown) => void };
  const groups: Pending[][] = [];
  let sending = false;
  let idle: Array<() => void> = [];
  const sendNext = () => {
    const group = groups.shift();
    if (!group) {
      sending = false;
      for (const resolve of idle) resolve();
      idle = [];
      return;
    }
    pool
      .query(`${PREPARED_PREFIX}select pg_notify(n.channel, n.payload) from unnest($1::text[], $2::text[]) as n(channel, payload)`, [
        group.map((m) => m.channel),
        group.map((m) => m.payload),
      ])
      .then(
        () => group.forEach((m) => m.done()),
        (err: unknown) => group.forEach((m) => m.failed(err)),
      )
      .finally(sendNext);
  };
  const notify = (channel: string, payload: string) =>
    new Promise<void>((done, failed) => {
      let group = groups[groups.length - 1];
      if (!group || group.some((m) => m.channel === channel && m.payload === payload)) groups.push((group = []));
      group.push({ channel, payload, done, failed });
      if (!sending) {
        sending = true;
        setImmediate(sendNext);
      }
    });
  const proxy = new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') {
        return (text: unknown, values?: unknown[]) =>
          text === ADAPTER_NOTIFY && Array.isArray(values) ? notify(String(values[0]), String(values[1])) : target.query(text as string, values);
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    pool: proxy,
    /** Resolves once every message handed over so far has been sent (or has failed). */
    drained: () => (sending ? new Promise<void>((resolve) => idle.push(resolve)) : Promise.resolve()),
  };
}

const STREAM_BLOCK_MS = 500;

async function redisAdapter(url: string, prefix: string, log: Logger): Promise<AdapterChoice> {
  const client = loadRedis().createClient({
    url,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(200 * 2 ** retries, 5_000) },
  });
  let warned = false;
  client.on('error', (err: Error) => {
    // The client reconnects by itself; one line per outage, not one per retry.
    if (!warned) log.warn({ err: err.message }, 'live events: redis connection error');
    warned = true;
  });
  client.on('ready', () => {
    warned = false;
  });
  try {
    await withTimeout(client.connect(), 8_000, 'Could not reach Redis at REDIS_URL within 8 s.');
  } catch (err) {
    client.destroy();
    throw err;
  }
  const adapter = loadRedisStreamsAdapter().createAdapter(client, {
    streamName: `${prefix}socket.io`,
    channelPrefix: `${prefix}socket.io`,
    // Events are JSON: skip the binary scan.
    onlyPlaintext: true,
    // The reading connection notices a shutdown after at most one block.
    blockTimeInMs: STREAM_BLOCK_MS,
  });
  return {
    kind: 'redis',
    adapter,
    async close() {
      await client.close().catch(() => client.destroy());
      // The adapter's own reading connection ends when its current blocking read returns.
      await new Promise((resolve) => setTimeout(resolve, STREAM_BLOCK_MS + 100));
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
