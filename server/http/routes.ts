import { Router } from 'express';
import { commenterRoutes } from '../commenters/commenter.routes';
import { commentRoutes } from '../comments/comment.routes';
import { previewRoutes } from '../comments/preview.routes';
import type { Deps } from '../deps';
import { flagRoutes } from '../flags/flag.routes';
import { memberRoutes } from '../members/member.routes';
import { moderationRoutes } from '../moderation/moderation.routes';
import { siteRoutes } from '../sites/site.routes';
import { ssoKeyRoutes } from '../sso/sso-key.routes';
import { ssoRoutes } from '../sso/sso.routes';
import { threadAdminRoutes } from '../threads/thread.admin.routes';
import { pollAdminRoutes } from '../polls/poll.admin.routes';
import { pollRoutes } from '../polls/poll.routes';
import { privacyRoutes } from '../privacy/privacy.routes';
import { privacyRequestAdminRoutes } from '../privacy/requests.admin.routes';
import { reactionRoutes } from '../reactions/reaction.routes';
import { countRoutes } from '../threads/counts.routes';
import { threadRoutes } from '../threads/thread.routes';
import { openApiJson } from './docs';
import { webhookRoutes } from '../webhooks/webhook.routes';

/** The one list of API routes, mounted under /api/v1. Each domain registers its own, thinly. */
export function apiRouter(deps: Deps): Router {
  const router = Router();
  threadRoutes(router, deps);
  commentRoutes(router, deps);
  memberRoutes(router, deps);
  moderationRoutes(router, deps);
  siteRoutes(router, deps);
  threadAdminRoutes(router, deps);
  previewRoutes(router, deps);
  pollRoutes(router, deps);
  pollAdminRoutes(router, deps);
  privacyRoutes(router, deps);
  privacyRequestAdminRoutes(router, deps);
  reactionRoutes(router, deps);
  flagRoutes(router, deps);
  countRoutes(router, deps);
  commenterRoutes(router, deps);
  ssoRoutes(router, deps);
  ssoKeyRoutes(router, deps);
  webhookRoutes(router, deps);
  router.get('/openapi.json', openApiJson);
  return router;
}
