import { Router } from 'express';
import type { Deps } from '../deps';

export function healthRoutes(deps: Deps, state: { draining: () => boolean }): Router {
  const router = Router();
  // Liveness: the process answers. Never touches the database, so a database outage does not
  // make an orchestrator kill healthy instances.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: can this instance serve traffic now?
  router.get('/readyz', async (_req, res) => {
    if (state.draining()) {
      res.status(503).set('Retry-After', '1').json({ status: 'draining' });
      return;
    }
    try {
      await Promise.race([
        deps.database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), 2000).unref()),
      ]);
      res.json({ status: 'ready', database: deps.database.kind });
    } catch {
      res.status(503).set('Retry-After', '5').json({ status: 'unavailable', database: deps.database.kind });
    }
  });
  return router;
}
