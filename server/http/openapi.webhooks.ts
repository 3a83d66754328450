import { z } from 'zod';
import type { OperationDoc } from './openapi.operation';
import { SiteIdSchema } from '../sites/site.schema';
import { EVENT_TYPES } from '../webhooks/webhook.render';
import { CreateWebhookSchema, DeliveryQuerySchema, SlackLinkSchema, SlackUserId, UpdateWebhookSchema, WebhookIdParam } from '../webhooks/webhook.schema';

/** Webhooks and Slack (SPEC §10): a site's endpoints, their delivery log, and Slack's button requests. */
const WebhookView = z.object({
  id: z.string(),
  siteId: z.string(),
  kind: z.enum(['standard', 'slack']),
  url: z.string(),
  events: z.array(z.enum(EVENT_TYPES)),
  description: z.string(),
  enabled: z.boolean(),
  previousSecretUntil: z.string().nullable().meta({ description: 'Until when the secret before the last rotation still signs too' }),
  failingSince: z.string().nullable(),
  switchedOffAt: z.string().nullable(),
  switchedOffReason: z.string().nullable(),
  createdAt: z.string(),
});
const DeliveryView = z.object({
  id: z.string(),
  eventId: z.string().meta({ description: 'The event’s webhook-id' }),
  type: z.enum(EVENT_TYPES),
  attempt: z.number().int(),
  ok: z.boolean(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
});
const SlackLinkView = z.object({ slackUserId: z.string(), memberId: z.string(), createdAt: z.string().optional() });
const Secret = z.string().meta({ description: 'The `whsec_…` signing secret, shown this once' });
const site = { siteId: SiteIdSchema };
const hook = { ...site, webhookId: WebhookIdParam };
const E = [400, 401, 403, 404];

export const WEBHOOK_OPERATIONS: OperationDoc[] = [
  { method: 'post', path: '/sites/:siteId/webhooks', tag: 'Webhooks', summary: 'Add an endpoint: Standard Webhooks (signed) or Slack (admins and the site’s keys)', description: 'Destinations must be https and may not resolve to a loopback, private or link-local address (unless PARLEY_WEBHOOKS_ALLOW_PRIVATE=true). A `slack` endpoint posts new pending and flagged comments with Approve, Reject and Spam buttons.', auth: 'staff', params: site, body: CreateWebhookSchema, ok: { status: 201, description: 'The endpoint and its secret', schema: z.object({ webhook: WebhookView, secret: Secret }) }, errors: E },
  { method: 'get', path: '/sites/:siteId/webhooks', tag: 'Webhooks', summary: 'A site’s endpoints (never their secrets)', auth: 'staff', params: site, ok: { status: 200, description: 'Endpoints', schema: z.object({ items: z.array(WebhookView) }) }, errors: E },
  { method: 'get', path: '/sites/:siteId/webhooks/:webhookId', tag: 'Webhooks', summary: 'One endpoint', auth: 'staff', params: hook, ok: { status: 200, description: 'The endpoint', schema: z.object({ webhook: WebhookView }) }, errors: E },
  { method: 'patch', path: '/sites/:siteId/webhooks/:webhookId', tag: 'Webhooks', summary: 'Change an endpoint; switching it back on sends its kept queue, in order', auth: 'staff', params: hook, body: UpdateWebhookSchema, ok: { status: 200, description: 'The endpoint', schema: z.object({ webhook: WebhookView }) }, errors: E },
  { method: 'delete', path: '/sites/:siteId/webhooks/:webhookId', tag: 'Webhooks', summary: 'Remove an endpoint and what is queued for it', auth: 'staff', params: hook, ok: { status: 200, description: 'The removed endpoint', schema: z.object({ webhook: WebhookView }) }, errors: E },
  { method: 'post', path: '/sites/:siteId/webhooks/:webhookId/rotate', tag: 'Webhooks', summary: 'A new secret; the previous one keeps signing beside it for 24 h', auth: 'staff', params: hook, ok: { status: 200, description: 'The endpoint and its new secret', schema: z.object({ webhook: WebhookView, secret: Secret }) }, errors: E },
  { method: 'get', path: '/sites/:siteId/webhooks/:webhookId/deliveries', tag: 'Webhooks', summary: 'The delivery log: each attempt, its status and latency (never the payload)', auth: 'staff', params: hook, query: DeliveryQuerySchema, ok: { status: 200, description: 'Attempts, newest first', schema: z.object({ items: z.array(DeliveryView), nextCursor: z.string().nullable() }) }, errors: E },
  { method: 'post', path: '/sites/:siteId/webhooks/:webhookId/deliveries/:deliveryId/retry', tag: 'Webhooks', summary: 'Send again: a queued event is tried now; a finished one is sent once more, under its webhook-id, with the current public view', auth: 'staff', params: { ...hook, deliveryId: WebhookIdParam }, ok: { status: 202, description: 'Queued', schema: z.object({ eventId: z.string(), queued: z.enum(['waiting', 'again']) }) }, errors: [...E, 409] },
  { method: 'post', path: '/sites/:siteId/webhooks/:webhookId/deliveries/:deliveryId/skip', tag: 'Webhooks', summary: 'Skip the head: give up on the event of this delivery, first in its thread’s queue and failing, so the events behind it go out; recorded in the delivery log', auth: 'staff', params: { ...hook, deliveryId: WebhookIdParam }, ok: { status: 200, description: 'Skipped', schema: z.object({ eventId: z.string(), skipped: z.literal(true) }) }, errors: [...E, 409] },
  { method: 'get', path: '/sites/:siteId/slack/links', tag: 'Webhooks', summary: 'Which member each Slack user decides as', auth: 'staff', params: site, ok: { status: 200, description: 'Links', schema: z.object({ items: z.array(SlackLinkView) }) }, errors: E },
  { method: 'put', path: '/sites/:siteId/slack/links', tag: 'Webhooks', summary: 'Link a Slack user id to a moderator or admin of the site', auth: 'staff', params: site, body: SlackLinkSchema, ok: { status: 200, description: 'The link', schema: z.object({ link: SlackLinkView }) }, errors: E },
  { method: 'delete', path: '/sites/:siteId/slack/links/:slackUserId', tag: 'Webhooks', summary: 'Unlink a Slack user', auth: 'staff', params: { ...site, slackUserId: SlackUserId }, ok: { status: 200, description: 'Unlinked', schema: z.object({ unlinked: z.literal(true) }) }, errors: E },
  { method: 'post', path: '/integrations/slack/:siteId/actions', tag: 'Webhooks', summary: 'Slack’s button requests (form-encoded, signed with the app’s signing secret)', description: 'Accepted only with a valid `X-Slack-Signature` (v0) over `X-Slack-Request-Timestamp` within 5 minutes; decided as the member linked to the Slack user; answers with the updated message. A comment already decided is 409.', auth: 'none', form: true, params: site, body: z.object({ payload: z.string().meta({ description: 'Slack’s block_actions JSON' }) }), ok: { status: 200, description: 'The updated Slack message', schema: z.object({ replace_original: z.boolean(), text: z.string(), blocks: z.array(z.unknown()) }) }, errors: [400, 401, 403, 404, 409, 415] },
];
