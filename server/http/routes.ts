import { Router } from 'express';
import { commentRoutes } from '../comments/comment.routes';
import { previewRoutes } from '../comments/preview.routes';
import type { Deps } from '../deps';
import { pollRoutes } from '../polls/poll.routes';
import { privacyRoutes } from '../privacy/privacy.routes';
import { threadRoutes } from '../threads/thread.routes';

/** The one list of API routes, mounted under /api/v1. Each domain registers its own, thinly. */
export function apiRouter(deps: Deps): Router {
  const router = Router();
  threadRoutes(router, deps);
  commentRoutes(router, deps);
  previewRoutes(router, deps);
  pollRoutes(router, deps);
  privacyRoutes(router, deps);
  return router;
}
