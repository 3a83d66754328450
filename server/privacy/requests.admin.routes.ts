import type { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps';
import { errors } from '../errors';
import { staffActor } from '../http/staff';
import { parse } from '../validate';
import { authorize } from '../members/permissions';
import { RequestIdParam } from './privacy.schema';
import * as repo from './requests.repo';
import { completeRequest, listPendingRequests, requestView } from './requests.service';

export const PrivacyRequestsQuery = z.object({ site: z.string().min(1).max(63) });

/**
 * `/moderation/privacy-requests`: lost-token requests that wait for the site's admins (no mail
 * transport), carried out in one click. Admins only: an export hands over someone's email and
 * every comment, and an erasure cannot be undone.
 */
export function privacyRequestAdminRoutes(router: Router, deps: Deps): void {
  const requestDeps = { ...deps, publicUrl: deps.config.publicUrl };

  router.get('/moderation/privacy-requests', async (req, res) => {
    const actor = await staffActor(deps, req);
    const { site } = parse(PrivacyRequestsQuery, req.query, 'query');
    authorize(actor, site, 'administer');
    res.json({ site, items: await listPendingRequests(deps, site) });
  });

  router.post('/moderation/privacy-requests/:id/complete', async (req, res) => {
    const actor = await staffActor(deps, req);
    const id = parse(RequestIdParam, req.params.id, 'path');
    const request = await repo.findRequest(deps.db, id);
    if (!request) throw errors.notFound('The privacy request');
    authorize(actor, request.site_id, 'administer', 'The privacy request');
    if (actor.kind !== 'member') throw errors.forbidden('forbidden', 'Only a member can carry out a privacy request.');
    const outcome = await completeRequest(requestDeps, { siteId: request.site_id, memberId: actor.id, staff: actor }, id);
    if (outcome.kind === 'export') {
      res.json({ request: requestView(outcome.request), document: outcome.document });
    } else {
      res.json({ request: requestView(outcome.request) });
    }
  });
}
