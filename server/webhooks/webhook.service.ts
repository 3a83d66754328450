import type { Db } from '../db';
import { inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { newId, randomBytes } from '../ids';
import { writeLog } from '../audit/audit.repo';
import { refusedAddress } from '../address';
import { authorize, type StaffActor } from '../members/permissions';
import type { Outbox } from '../outbox/outbox';
import type { Clock } from '../clock';
import * as repo from './webhook.repo';
import type { CreateWebhookInput, UpdateWebhookInput } from './webhook.schema';
import { webhookView } from './webhook.view';

export interface WebhookDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  outbox: Outbox;
  allowPrivate: boolean;
}

export const PREVIOUS_SECRET_MS = 24 * 3_600_000;

/** Admins, and the site's own API keys (a server wiring its own tools), manage its webhooks. */
export function authorizeWebhooks(actor: StaffActor, siteId: string): void {
  authorize(actor, siteId, actor.kind === 'key' ? 'moderate' : 'administer');
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function checkUrl(url: string, allowPrivate: boolean): void {
  const problem = refusedAddress(url, allowPrivate);
  if (problem) throw errors.validation('The webhook is not valid.', [{ path: 'url', message: problem }]);
}

export async function getEndpoint(deps: { db: Db }, actor: StaffActor, siteId: string, id: string) {
  authorizeWebhooks(actor, siteId);
  const e = await repo.findEndpoint(deps.db, siteId, id);
  if (!e) throw errors.notFound('The webhook');
  return e;
}

export async function createWebhook(deps: WebhookDeps, actor: StaffActor, siteId: string, input: CreateWebhookInput) {
  authorizeWebhooks(actor, siteId);
  checkUrl(input.url, deps.allowPrivate);
  const secret = newSecret();
  const now = deps.clock.now();
  const e = await inTransaction(deps, async ({ trx }) => {
    const row = await repo.insertEndpoint(trx, {
      id: newId(),
      siteId,
      kind: input.kind,
      url: input.url,
      events: input.kind === 'slack' ? ['comment.created', 'comment.flagged'] : [...new Set(input.events)],
      description: input.description,
      secret,
      slackSigningSecret: input.kind === 'slack' ? input.signingSecret : null,
      now,
    });
    const created = input.enabled ? row : await repo.updateEndpoint(trx, row.id, { enabled: false });
    await repo.recountEndpoints(trx, siteId);
    await writeLog(trx, { siteId, actor, action: 'webhook.create', targetType: 'webhook', targetId: row.id, details: { url: input.url, kind: input.kind } });
    return created;
  });
  // The secret is shown this once; the list never returns it.
  return { webhook: webhookView(e, now), secret };
}

export async function listWebhooks(deps: { db: Db; clock: Clock }, actor: StaffActor, siteId: string) {
  authorizeWebhooks(actor, siteId);
  const now = deps.clock.now();
  return (await repo.listEndpoints(deps.db, siteId)).map((e) => webhookView(e, now));
}

export async function updateWebhook(deps: WebhookDeps, actor: StaffActor, siteId: string, id: string, input: UpdateWebhookInput) {
  const current = await getEndpoint(deps, actor, siteId, id);
  if (input.url !== undefined) checkUrl(input.url, deps.allowPrivate);
  if (input.events && current.kind === 'slack') throw errors.validation('The webhook is not valid.', [{ path: 'events', message: 'a Slack endpoint always posts new pending and flagged comments' }]);
  if (input.signingSecret && current.kind !== 'slack') throw errors.validation('The webhook is not valid.', [{ path: 'signingSecret', message: 'only a Slack endpoint has one' }]);
  const now = deps.clock.now();
  const changes: repo.EndpointChanges = {};
  if (input.url !== undefined) changes.url = input.url;
  if (input.events) changes.events = [...new Set(input.events)];
  if (input.description !== undefined) changes.description = input.description;
  if (input.signingSecret) changes.slack_signing_secret = input.signingSecret;
  if (input.enabled !== undefined) {
    changes.enabled = input.enabled;
    // Back on: a fresh start for the three days, and the kept queue goes out at once, in order.
    if (input.enabled) Object.assign(changes, { failing_since: null, disabled_at: null, disabled_reason: null });
  }
  const updated = await inTransaction(deps, async (uow) => {
    const row = await repo.updateEndpoint(uow.trx, id, changes);
    if (input.enabled !== undefined) await repo.recountEndpoints(uow.trx, siteId);
    if (input.enabled) {
      await repo.wakeQueue(uow.trx, id, now);
      uow.afterCommit(() => deps.outbox.wake());
    }
    await writeLog(uow.trx, { siteId, actor, action: 'webhook.update', targetType: 'webhook', targetId: id, details: { changes: Object.keys(input) } });
    return row;
  });
  return webhookView(updated, now);
}

export async function deleteWebhook(deps: WebhookDeps, actor: StaffActor, siteId: string, id: string) {
  const e = await getEndpoint(deps, actor, siteId, id);
  await inTransaction(deps, async ({ trx }) => {
    await repo.deleteEndpoint(trx, id);
    await repo.recountEndpoints(trx, siteId);
    await writeLog(trx, { siteId, actor, action: 'webhook.delete', targetType: 'webhook', targetId: id, details: { url: e.url } });
  });
  return webhookView(e, deps.clock.now());
}

/** A new secret, shown once; the previous one keeps signing beside it for 24 h (two signatures). */
export async function rotateSecret(deps: WebhookDeps, actor: StaffActor, siteId: string, id: string) {
  const e = await getEndpoint(deps, actor, siteId, id);
  const now = deps.clock.now();
  const secret = newSecret();
  const updated = await inTransaction(deps, async ({ trx }) => {
    const row = await repo.updateEndpoint(trx, id, { secret, previous_secret: e.secret, previous_until: new Date(now.getTime() + PREVIOUS_SECRET_MS) });
    await writeLog(trx, { siteId, actor, action: 'webhook.rotate', targetType: 'webhook', targetId: id });
    return row;
  });
  return { webhook: webhookView(updated, now), secret };
}
