import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import request from 'supertest';
import { createParley, type ParleyApp } from '../../server/app';
import { configFrom } from '../../server/config';
import type { DatabaseHandle } from '../../server/db';
import { DAY_MS, utcDay } from '../../server/privacy/network';
import { openTestDatabase, resetDatabase } from './db';

export interface TestParley {
  app: ParleyApp;
  database: DatabaseHandle;
  url: string;
  origin: string;
  http: () => request.Agent;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real Parley on a real database, listening on port 0. Call once per test file (beforeAll); call
 * reset() in beforeEach.
 */
export async function startTestParley(
  env: Record<string, string> = {},
  options: { keepData?: boolean; port?: number; log?: Logger } = {},
): Promise<TestParley> {
  const database = await openTestDatabase(options);
  const config = configFrom({ PORT: '0', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://parley.test', ...env });
  const app = await createParley({ config, database, log: options.log ?? pino({ level: 'silent' }) });
  await new Promise<void>((resolve) => app.server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    database,
    url,
    origin: config.publicOrigin,
    http: () => request.agent(url),
    async reset() {
      await resetDatabase(database);
      app.deps.origins.invalidate();
      // Tests write rows directly, past the thread clocks: start every test with no cached pages.
      app.deps.pages?.clear();
      app.deps.limits.reset();
      // The hashing secrets were truncated with everything else: forget the cached ones too.
      app.deps.network.forgetBefore(utcDay(new Date(Date.now() + DAY_MS)));
    },
    async close() {
      await app.close(1000);
      await database.close();
    },
  };
}
