import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import request from 'supertest';
import { createParley, type ParleyApp, type ParleyOptions } from '../../server/app';
import { configFrom } from '../../server/config';
import type { DatabaseHandle, Db } from '../../server/db';
import type { DomainEventName, DomainEvents } from '../../server/events';
import { openTestDatabase, resetDatabase } from './db';
import { captureLog } from './logs';

export interface TestParley {
  app: ParleyApp;
  database: DatabaseHandle;
  db: Db;
  url: string;
  origin: string;
  http: () => request.Agent;
  /** With `capture`: everything logged since start (or the last reset), as written: JSON lines. */
  logs(): string;
  /** With `capture`: domain events published since start (or the last reset). */
  events<K extends DomainEventName>(name: K): Array<DomainEvents[K]>;
  /** Back to an empty Parley: no rows, no cached pages or origins, no flood counts, no hashing secrets. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface TestParleyOptions extends Pick<ParleyOptions, 'moderationAuth' | 'realtime'> {
  /** Keep what an earlier instance wrote to this worker's PostgreSQL database. */
  keepData?: boolean;
  port?: number;
  log?: Logger;
  /** Another instance's database, shared (multi-instance tests): not migrated, nor closed, by this one. */
  database?: DatabaseHandle;
  /** Keep every log line (at debug level, through the production logger and its redaction) and domain event. */
  capture?: boolean;
}

const CAPTURED_EVENTS = ['thread.event', 'comment.status', 'commenter.revoked', 'poll.voted'] as const;

/**
 * A real Parley on a real database, listening on port 0. Start one per test file (or let useParley
 * do it) and reset() it before each test.
 */
export async function startTestParley(env: Record<string, string> = {}, options: TestParleyOptions = {}): Promise<TestParley> {
  const ownsDatabase = !options.database;
  const database = options.database ?? (await openTestDatabase({ keepData: options.keepData }));
  const captured = options.capture ? captureLog('debug') : undefined;
  const log = options.log ?? captured?.log ?? pino({ level: 'silent' });
  const config = configFrom({ PORT: '0', LOG_LEVEL: captured ? 'debug' : 'silent', PUBLIC_URL: 'http://parley.test', ...env });
  const app = await createParley({
    config,
    database,
    log,
    // openTestDatabase hands over a migrated database, and a shared one was migrated by its owner.
    migrate: false,
    moderationAuth: options.moderationAuth,
    realtime: options.realtime,
  });
  let recorded: Array<{ name: string; payload: unknown }> = [];
  if (captured) for (const name of CAPTURED_EVENTS) app.deps.bus.on(name, (payload) => void recorded.push({ name, payload }));
  await new Promise<void>((resolve) => app.server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    database,
    db: database.db,
    url,
    origin: config.publicOrigin,
    http: () => request.agent(url),
    logs: () => captured?.text() ?? '',
    events: <K extends DomainEventName>(name: K) => recorded.filter((e) => e.name === name).map((e) => e.payload as DomainEvents[K]),
    async reset() {
      await resetDatabase(database);
      app.deps.origins.invalidate();
      // Tests write rows directly, past the thread clocks: start every test with no cached pages.
      app.deps.pages?.clear();
      app.deps.limits.reset();
      // The hashing secrets were truncated with everything else: forget every cached one too.
      app.deps.network.forgetBefore('9999');
      // And the proof-of-work signing secret.
      app.deps.abuse?.proofKeys?.forget();
      captured?.clear();
      recorded = [];
    },
    async close() {
      await app.close(1000);
      if (ownsDatabase) await database.close();
    },
  };
}

/**
 * The hooks every test file repeats, once: start a Parley before the file's tests, reset it before
 * each, close it after. Returns the Parley itself, usable from the first test on.
 */
export function useParley(env: Record<string, string> = {}, options: TestParleyOptions = {}): TestParley {
  let started: TestParley | undefined;
  beforeAll(async () => {
    started = await startTestParley(env, options);
  });
  afterAll(() => started?.close());
  beforeEach(() => started!.reset());
  return new Proxy({} as TestParley, {
    get(_, key) {
      if (!started) throw new Error(`Parley is not started yet (read .${String(key)} inside a test or hook)`);
      const value = Reflect.get(started, key);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
