import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db';

/**
 * `/metrics` in Prometheus's text format (SPEC §8): the process (CPU, memory, event loop lag, GC),
 * HTTP answers by route template and status, live connections, the outbox's backlog, and whether
 * the database answers. Nothing about readers: routes are templates (`/api/v1/threads/:id/comments`),
 * never ids or query strings.
 *
 * A registry per app, not prom-client's global one: tests run several instances in one process. The
 * process's own figures are one set per process (`processRegistry`).
 */
export interface Metrics {
  /** Counts one answer (called by the request log, which already times every request). */
  observe(req: Request, res: Response, ms: number): void;
  /** The live connections of this instance, once the realtime server exists. */
  watchSockets(count: () => number): void;
  handler: RequestHandler;
}

/** A scrape's database questions give up after this: /metrics answers even when the database does not. */
const QUERY_TIMEOUT_MS = 1_000;

const PROCESS_METRICS = Symbol.for('parley.metrics.process');

/**
 * The process's figures (CPU, memory, event loop lag, GC) belong to the process, however many apps it
 * runs: collected once, in a registry kept on the global object, which every app's registry is merged
 * with. prom-client's collectors cannot be stopped (an observer of the collector's pauses, a monitor
 * of the event loop's delay): a set per app left one more of each for every app a process had
 * started, each holding its app's whole registry, and through it the app (a test run starts hundreds).
 */
function processRegistry(): Registry {
  const slots = globalThis as Record<symbol, Registry | undefined>;
  let registry = slots[PROCESS_METRICS];
  if (!registry) {
    registry = slots[PROCESS_METRICS] = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  }
  return registry;
}

export function createMetrics(deps: { db: Db; ping: () => Promise<void>; token: string | undefined }): Metrics {
  const registry = new Registry();
  const answers = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP answers by method, route template and status, and how long they took',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'parley_http_server_errors_total',
    help: 'HTTP answers with a 5xx status (503: the database or a drain; others: faults)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  let sockets: () => number = () => 0;
  new Gauge({
    name: 'parley_live_connections',
    help: 'Live (Socket.IO) connections open on this instance',
    registers: [registry],
    collect() {
      this.set(sockets());
    },
  });
  const within = <T>(work: Promise<T>) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), QUERY_TIMEOUT_MS).unref()));
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  };
  const databaseUp = new Gauge({ name: 'parley_database_up', help: '1 when the database answered this scrape, else 0', registers: [registry] });
  const backlog = new Gauge({
    name: 'parley_outbox_pending',
    help: 'Mails and webhook deliveries waiting to be sent (all instances), by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const failed = new Gauge({
    name: 'parley_outbox_failed',
    help: 'Deliveries given up after their last attempt (all instances), by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  /** The database's figures, read once per scrape (not per metric). */
  async function readDatabase(): Promise<void> {
    try {
      await within(deps.ping());
      const rows = await within(
        deps.db
          .selectFrom('outbox')
          .select((eb) => [
            'kind',
            eb.fn.count<string>('id').filterWhere('done_at', 'is', null).filterWhere('failed_at', 'is', null).as('pending'),
            eb.fn.count<string>('id').filterWhere('failed_at', 'is not', null).as('failed'),
          ])
          .groupBy('kind')
          .execute(),
      );
      databaseUp.set(1);
      backlog.reset();
      failed.reset();
      for (const r of rows) {
        backlog.set({ kind: r.kind }, Number(r.pending));
        failed.set({ kind: r.kind }, Number(r.failed));
      }
    } catch {
      databaseUp.set(0);
    }
  }

  const expected = deps.token ? crypto.createHash('sha256').update(`Bearer ${deps.token}`).digest() : null;
  const allowed = (req: Request) => {
    if (!expected) return true;
    const given = crypto.createHash('sha256').update(req.headers.authorization ?? '').digest();
    return crypto.timingSafeEqual(given, expected);
  };

  const scraped = Registry.merge([processRegistry(), registry]);

  return {
    observe(req, res, ms) {
      // The matched route's template; anything unmatched is one label, so scans cannot grow the series.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      answers.observe({ method: req.method, route, status: String(res.statusCode) }, ms / 1000);
      if (res.statusCode >= 500) errors.inc({ status: String(res.statusCode) });
    },
    watchSockets(count) {
      sockets = count;
    },
    handler: async (req, res) => {
      if (!allowed(req)) {
        res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: { code: 'unauthorized', message: 'METRICS_TOKEN is set: send it as a Bearer token.', details: [] } });
        return;
      }
      await readDatabase();
      res.set('Content-Type', scraped.contentType).set('Cache-Control', 'no-store').send(await scraped.metrics());
    },
  };
}
