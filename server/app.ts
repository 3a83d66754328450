import http from 'node:http';
import type { Logger } from 'pino';
import { widgetBuild } from '../client/build';
import type { Config } from './config';
import { type DatabaseHandle, migrateToLatest } from './db';
import type { Deps } from './deps';
import { createEventBus } from './events';
import { createHttpApp } from './http/app';
import { createMailer } from './privacy/mailer';
import { createNetworkHasher } from './privacy/network';
import { startRetentionJob } from './privacy/retention.job';
import { createOriginCache } from './sites/site.service';

export interface ParleyApp {
  deps: Deps;
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then releases everything. */
  close(graceMs?: number): Promise<void>;
}

/** The composition root: builds every dependency once and mounts HTTP (and realtime) on one server. */
export async function createParley(options: { config: Config; database: DatabaseHandle; log: Logger; migrate?: boolean }): Promise<ParleyApp> {
  const { config, database, log } = options;
  if (options.migrate !== false) {
    const applied = await migrateToLatest(database.db);
    if (applied.length) log.info({ migrations: applied }, 'database migrated');
  }
  // The widget is built in memory now, so a broken build stops the start instead of the first page.
  await widgetBuild();
  const bus = createEventBus((err, name) => log.error({ err, event: name }, 'event handler failed'));
  const deps: Deps = {
    config,
    database,
    db: database.db,
    bus,
    log,
    origins: createOriginCache(database.db, config.publicOrigin),
    network: createNetworkHasher(database.db, { pepper: config.secret }),
    mailer: createMailer(config.smtpUrl, config.smtpFrom),
  };
  const retention = startRetentionJob(deps, config.retentionIntervalMs);

  let draining = false;
  const app = createHttpApp(deps, { draining: () => draining });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  // Slow clients cannot hold a connection open forever sending headers or a body.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;

  let closing: Promise<void> | undefined;
  async function close(graceMs = 10_000): Promise<void> {
    closing ??= (async () => {
      draining = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await stopped;
      clearTimeout(timer);
      await retention.stop();
      deps.mailer?.close();
    })();
    return closing;
  }

  return { deps, server, close };
}
