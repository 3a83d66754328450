import crypto from 'node:crypto';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: the caller's X-Request-Id when it is a sane one, else a new one. */
    id: string;
    /** A logger bound to this request (`{ req: { id, method, path } }`), made when first asked for. */
    log: Logger;
  }
}

const INCOMING_ID = /^[\w-]{8,64}$/;
const CHILD = Symbol('request logger');
const UNLOGGED = new Set(['/healthz', '/readyz', '/metrics']);

/** What a request's log lines say of it. Privacy: no addresses, headers, tokens or query strings. */
const describe = (req: Request) => ({ id: req.id, method: req.method, path: req.originalUrl.split('?')[0] });

/**
 * One log line per request when its answer is sent (`info`; `warn` for a 503, `error` for any other
 * 5xx): its id, method, path, status and time, and an `X-Request-Id` header that names it to the
 * client. The same timing feeds `/metrics` (metrics.ts).
 *
 * Written here rather than with pino-http, whose middleware builds a child logger for every request
 * (serialising its bindings) whether or not anything is ever logged with it: that was a twentieth
 * of a post's CPU time. Here the child is made only when a handler logs through `req.log`, and the
 * line itself only when its level is enabled.
 */
export function requestLog(app: Express, log: Logger, metrics?: Pick<Metrics, 'observe'>): RequestHandler {
  // On the app's request prototype: a property defined on each request would cost more than the child.
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request & { [CHILD]?: Logger }) {
      return (this[CHILD] ??= log.child({ req: describe(this) }));
    },
  });
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
    res.setHeader('X-Request-Id', req.id);
    if (UNLOGGED.has(req.path)) return next();
    const started = performance.now();
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      const ms = performance.now() - started;
      metrics?.observe(req, res, ms);
      logAnswer(log, req, res, Math.round(ms));
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

function logAnswer(log: Logger, req: Request, res: Response, responseTime: number): void {
  // 503 is Parley saying it cannot answer now (a lost database, a drain): a warning, not a bug.
  const level = res.statusCode === 503 ? 'warn' : res.statusCode >= 500 ? 'error' : 'info';
  if (!log.isLevelEnabled(level)) return;
  const line = { req: describe(req), res: { status: res.statusCode }, responseTime };
  // A connection closed before the answer was sent: the status is what it would have been.
  log[level](line, res.writableFinished ? 'request completed' : 'request closed before its answer was sent');
}
