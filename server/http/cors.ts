import cors from 'cors';
import type { RequestHandler } from 'express';
import type { OriginCache } from '../sites/site.service';

/**
 * Browsers may call the API from Parley's own origin and from any origin a site allows. Readers are
 * identified by a bearer token, never a cookie, so no credentials mode is needed; member sessions are
 * same-origin only (the dashboard is served by Parley).
 */
export function corsForSites(origins: OriginCache): RequestHandler {
  return cors({
    origin: (origin, callback) => {
      if (!origin) return callback(null, false);
      origins.isAllowed(origin).then(
        (ok) => callback(null, ok ? origin : false),
        () => callback(null, false),
      );
    },
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match'],
    exposedHeaders: ['Retry-After', 'ETag', 'X-Request-Id', 'Idempotent-Replayed'],
    maxAge: 600,
  });
}
