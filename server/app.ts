import http from 'node:http';
import type { Logger } from 'pino';
import { widgetBuild } from '../client/build';
import { dashboardBuild } from '../client/dashboard/build';
import type { Config } from './config';
import { type DatabaseHandle, gatheredReads, migrateToLatest } from './db';
import type { Deps } from './deps';
import { createClock } from './clock';
import { createCommentPageCache } from './comments/comment-page.cache';
import { createPostWriter } from './comments/comment.service';
import { createEventBus } from './events';
import { answerClientErrors } from './http/client-errors';
import { createHttpApp } from './http/app';
import { createMetrics } from './http/metrics';
import { createMailer } from './mail/mailer';
import { createFloodGuard } from './limits/flood';
import { createNetworkHasher } from './privacy/network';
import { startRetentionJob } from './privacy/retention.job';
import { createModelCache } from './abuse/abuse.model';
import { startLearningJob } from './abuse/abuse.job';
import { listenForDecisions } from './abuse/abuse.service';
import { createProofKeys } from './abuse/proof.service';
import { createRealtime, type Realtime, type RealtimeOptions } from './realtime';
import { type ModerationAuthenticator, moderationAuthenticator } from './members/moderation-auth';
import { createOriginCache } from './sites/site.service';
import { createOutbox } from './outbox/outbox';
import { registerMail } from './mail/mail.delivery';
import { registerModeratorMail } from './mail/moderator.delivery';
import { registerWebhookAlertMail } from './mail/webhook-alert';
import { registerPollSchedule } from './polls/poll.schedule';
import { registerThreadSchedule } from './threads/thread.schedule';
import { setupWebhooks } from './webhooks/webhook.setup';
import { startSlowModeJob } from './threads/slow-mode.service';

export interface ParleyApp {
  deps: Deps;
  server: http.Server;
  realtime: Realtime;
  /**
   * Stops accepting, tells live clients to reconnect elsewhere, lets in-flight requests finish (up to
   * `graceMs`), then releases everything.
   */
  close(graceMs?: number): Promise<void>;
}

/** The composition root: builds every dependency once and mounts HTTP (and realtime) on one server. */
export interface ParleyOptions {
  config: Config;
  database: DatabaseHandle;
  log: Logger;
  migrate?: boolean;
  /** Authenticates /moderation sockets (members' sessions and API keys). */
  moderationAuth?: ModerationAuthenticator;
  /** Socket limits, for tests that exercise them. */
  realtime?: Omit<RealtimeOptions, 'draining'>;
}

export async function createParley(options: ParleyOptions): Promise<ParleyApp> {
  const { config, database, log } = options;
  if (options.migrate !== false) {
    const applied = await migrateToLatest(database.db);
    if (applied.length) log.info({ migrations: applied }, 'database migrated');
  }
  // The widget and the dashboard are built in memory now, so a broken build stops the start instead of the first page.
  await Promise.all([widgetBuild(), dashboardBuild()]);
  const bus = createEventBus((err, name) => log.error({ err, event: name }, 'event handler failed'));
  const clock = createClock(config.clockOffsetMs);
  const deps: Deps = {
    config,
    clock,
    database,
    db: database.db,
    bus,
    log,
    origins: createOriginCache(database.db, config.publicOrigin),
    network: createNetworkHasher(database.db, { pepper: config.secret }),
    mailer: createMailer(config.smtpUrl, config.smtpFrom),
    outbox: createOutbox({ db: database.db, clock, log, bus }),
    limits: await createFloodGuard({ config, database, log }),
    // Members' sessions and site API keys, unless a test hands in its own.
    moderationAuth: options.moderationAuth ?? moderationAuthenticator(database.db),
    pages: createCommentPageCache(),
  };
  registerMail({ ...deps, publicUrl: config.publicUrl });
  registerModeratorMail({ ...deps, publicUrl: config.publicUrl });
  registerWebhookAlertMail({ ...deps, publicUrl: config.publicUrl });
  setupWebhooks(deps);
  registerPollSchedule(deps);
  registerThreadSchedule(deps);
  if (config.abuseChecks) deps.abuse = { db: deps.db, clock: deps.clock, models: createModelCache(), speedSignals: config.rateLimits, proofKeys: createProofKeys(config.secret) };
  // Every decision teaches the site's model inside its own transaction.
  if (config.abuseChecks) listenForDecisions(bus, deps.clock);
  // On PostgreSQL a batch's last statement and its commit go in one round trip.
  deps.writer = createPostWriter(deps, { oneTripCommit: database.kind === 'postgres' });
  // On PostgreSQL the first reads of posts arriving together go in one round trip.
  deps.reads = gatheredReads(deps.db, database.kind === 'postgres');

  let draining = false;
  const metrics = createMetrics({ db: deps.db, ping: () => database.ping(), token: config.metricsToken });
  const app = createHttpApp(deps, { draining: () => draining, metrics });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  // Slow clients cannot hold a connection open forever sending headers or a body.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  answerClientErrors(server);
  const realtime = await createRealtime(deps, server, { draining: () => draining, ...options.realtime });
  metrics.watchSockets(() => realtime.io.engine.clientsCount);
  const retention = startRetentionJob(deps, config.retentionIntervalMs);
  deps.outbox.start();
  const learning = config.abuseChecks ? startLearningJob(deps) : undefined;
  const slowMode = startSlowModeJob(deps);

  let closing: Promise<void> | undefined;
  async function close(graceMs = 10_000): Promise<void> {
    closing ??= (async () => {
      draining = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live clients reconnect at once, through the load balancer, to an instance that stays.
      realtime.disconnectAll();
      // A keep-alive connection becomes idle once its in-flight request is answered: close it then,
      // rather than waiting out the keep-alive timeout.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      const timer = setTimeout(() => {
        server.closeAllConnections();
        realtime.destroyAll();
      }, graceMs);
      await stopped;
      clearInterval(sweeper);
      clearTimeout(timer);
      await retention.stop();
      await slowMode.stop();
      // The sends in flight finish and are marked; rows not yet claimed wait for the next instance.
      await deps.outbox.stop(graceMs);
      await learning?.stop();
      deps.mailer?.close();
      await deps.limits.close();
      // Writes that finished during the drain have published their events: release the adapter last.
      await realtime.close();
    })();
    return closing;
  }

  return { deps, server, realtime, close };
}
