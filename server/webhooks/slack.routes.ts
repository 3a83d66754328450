import express, { Router } from 'express';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { SiteIdSchema } from '../sites/site.schema';
import { parse } from '../validate';
import { createSlackActions } from './slack.service';

/**
 * `POST /api/v1/integrations/slack/:siteId/actions`: Slack's button requests. One of the two routes
 * that take a form (SPEC §13 "Bodies that are not JSON"): the body is kept raw, since the signature
 * is over its exact bytes, and parsed only once it is verified.
 */
export function slackRoutes(deps: Deps): Router {
  const router = Router();
  const act = createSlackActions({ ...deps, allowPrivate: deps.config.webhooksAllowPrivate });
  const raw = express.raw({ type: 'application/x-www-form-urlencoded', limit: '64kb' });
  router.post('/:siteId/actions', raw, async (req, res) => {
    if (!req.is('application/x-www-form-urlencoded') || !Buffer.isBuffer(req.body)) {
      throw new AppError('unsupported_media', 'unsupported_media_type', 'Send the request body as application/x-www-form-urlencoded.');
    }
    const siteId = parse(SiteIdSchema, req.params.siteId, 'path');
    const headers = { timestamp: req.get('x-slack-request-timestamp'), signature: req.get('x-slack-signature') };
    res.setHeader('Cache-Control', 'no-store');
    res.json(await act(siteId, headers, req.body));
  });
  return router;
}
