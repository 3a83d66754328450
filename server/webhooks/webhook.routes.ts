import type { Router } from 'express';
import type { Deps } from '../deps';
import { staffActor } from '../http/staff';
import { parse } from '../validate';
import { SiteIdSchema } from '../sites/site.schema';
import { listDeliveries, retryDelivery, skipHead } from './webhook.deliveries';
import { CreateWebhookSchema, DeliveryQuerySchema, SlackLinkSchema, SlackUserId, UpdateWebhookSchema, WebhookIdParam } from './webhook.schema';
import { createWebhook, deleteWebhook, getEndpoint, listWebhooks, rotateSecret, updateWebhook } from './webhook.service';
import { linkSlackUser, listSlackLinks, unlinkSlackUser } from './slack.links';
import { webhookView } from './webhook.view';

/** `/sites/:siteId/webhooks`: a site's endpoints, their delivery log, and Slack links (admins and the site's keys). */
export function webhookRoutes(router: Router, deps: Deps): void {
  const wh = { ...deps, allowPrivate: deps.config.webhooksAllowPrivate };
  const site = (p: unknown) => parse(SiteIdSchema, p, 'path');
  const hook = (p: unknown) => parse(WebhookIdParam, p, 'path');

  router.post('/sites/:siteId/webhooks', async (req, res) => {
    const actor = await staffActor(deps, req);
    const siteId = site(req.params.siteId);
    res.status(201).json(await createWebhook(wh, actor, siteId, parse(CreateWebhookSchema, req.body)));
  });
  router.get('/sites/:siteId/webhooks', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json({ items: await listWebhooks(wh, actor, site(req.params.siteId)) });
  });
  router.get('/sites/:siteId/webhooks/:webhookId', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json({ webhook: webhookView(await getEndpoint(wh, actor, site(req.params.siteId), hook(req.params.webhookId)), deps.clock.now()) });
  });
  router.patch('/sites/:siteId/webhooks/:webhookId', async (req, res) => {
    const actor = await staffActor(deps, req);
    const [siteId, id] = [site(req.params.siteId), hook(req.params.webhookId)];
    res.json({ webhook: await updateWebhook(wh, actor, siteId, id, parse(UpdateWebhookSchema, req.body)) });
  });
  router.delete('/sites/:siteId/webhooks/:webhookId', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json({ webhook: await deleteWebhook(wh, actor, site(req.params.siteId), hook(req.params.webhookId)) });
  });
  router.post('/sites/:siteId/webhooks/:webhookId/rotate', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json(await rotateSecret(wh, actor, site(req.params.siteId), hook(req.params.webhookId)));
  });
  router.get('/sites/:siteId/webhooks/:webhookId/deliveries', async (req, res) => {
    const actor = await staffActor(deps, req);
    const q = parse(DeliveryQuerySchema, req.query, 'query');
    res.json(await listDeliveries(wh, actor, site(req.params.siteId), hook(req.params.webhookId), q));
  });
  router.post('/sites/:siteId/webhooks/:webhookId/deliveries/:deliveryId/retry', async (req, res) => {
    const actor = await staffActor(deps, req);
    const deliveryId = parse(WebhookIdParam, req.params.deliveryId, 'path');
    res.status(202).json(await retryDelivery(wh, actor, site(req.params.siteId), hook(req.params.webhookId), deliveryId));
  });
  router.post('/sites/:siteId/webhooks/:webhookId/deliveries/:deliveryId/skip', async (req, res) => {
    const actor = await staffActor(deps, req);
    const deliveryId = parse(WebhookIdParam, req.params.deliveryId, 'path');
    res.json(await skipHead(wh, actor, site(req.params.siteId), hook(req.params.webhookId), deliveryId));
  });

  router.get('/sites/:siteId/slack/links', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json({ items: await listSlackLinks(deps, actor, site(req.params.siteId)) });
  });
  router.put('/sites/:siteId/slack/links', async (req, res) => {
    const actor = await staffActor(deps, req);
    res.json({ link: await linkSlackUser(deps, actor, site(req.params.siteId), parse(SlackLinkSchema, req.body)) });
  });
  router.delete('/sites/:siteId/slack/links/:slackUserId', async (req, res) => {
    const actor = await staffActor(deps, req);
    await unlinkSlackUser(deps, actor, site(req.params.siteId), parse(SlackUserId, req.params.slackUserId, 'path'));
    res.json({ unlinked: true });
  });
}
