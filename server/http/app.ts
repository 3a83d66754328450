import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Deps } from '../deps';
import { jsonParser, rejectHostileInput, requireJson } from './body';
import { corsForSites } from './cors';
import { apiDocsPage } from './docs';
import { errorHandler, notFoundHandler } from './errors';
import { requestLog } from './request-log';
import type { Metrics } from './metrics';
import { healthRoutes } from './health';
import { assetRoutes } from './assets';
import { dashboardRoutes } from './dashboard';
import { apiRouter } from './routes';
import { slackRoutes } from '../webhooks/slack.routes';
import { demoRoutes } from '../demo/demo.routes';
import { oneClickUnsubscribe } from '../mail/mail.routes';

export interface HttpState {
  draining: () => boolean;
  metrics?: Metrics;
}

/** Assets and API answers are fetched by publishers' pages; our own pages stay same-origin. */
const crossOrigin: RequestHandler = (_req, res, next) => {
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  next();
};

export function createHttpApp(deps: Deps, state: HttpState): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.set('etag', false);

  app.use(requestLog(app, deps.log, state.metrics));

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: { 'connect-src': ["'self'"], 'img-src': ["'self'", 'data:'] },
      },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(healthRoutes(deps, state));
  if (state.metrics) app.get('/metrics', state.metrics.handler);
  app.use(assetRoutes(deps.log).router);
  app.use(demoRoutes(deps));
  app.use(dashboardRoutes(deps.log));

  // The one API route that takes a form (RFC 8058 one-click unsubscribe), before the JSON-only rule.
  app.post('/api/v1/mail/unsubscribe', oneClickUnsubscribe(deps));
  // Slack's form-encoded button requests, before the JSON-only API (their raw body is signed).
  app.use('/api/v1/integrations/slack', slackRoutes(deps));

  const api = express.Router();
  api.use(crossOrigin, corsForSites(deps.origins));
  api.use(requireJson, jsonParser, rejectHostileInput);
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(apiRouter(deps));
  api.use(notFoundHandler);
  app.use('/api/v1', api);
  app.get('/api/docs', apiDocsPage);

  app.get('/', (_req, res) => {
    res.json({ name: 'Parley', api: '/api/v1', demo: '/demo', health: '/healthz' });
  });

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
