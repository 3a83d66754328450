import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { EventBus } from '../events';
import type { Outbox } from '../outbox/outbox';
import { registerWebhookDelivery } from './webhook.delivery';
import { registerWebhookWriters } from './webhook.events';

/**
 * Webhooks in one call from the composition root: the in-transaction writers that queue deliveries
 * with each change, and the outbox handler that sends them. This instance's worker delivers what
 * any instance queued.
 */
export function setupWebhooks(deps: { db: Db; bus: EventBus; clock: Clock; log: Logger; outbox: Outbox; config: { webhooksAllowPrivate: boolean } }): void {
  const allowPrivate = deps.config.webhooksAllowPrivate;
  if (allowPrivate) {
    deps.log.warn('PARLEY_WEBHOOKS_ALLOW_PRIVATE=true: webhooks, Slack and JWKS URLs may reach http and internal addresses. Use it only for tests and private networks.');
  }
  registerWebhookWriters(deps);
  registerWebhookDelivery({ ...deps, allowPrivate });
}
