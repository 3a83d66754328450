import type { z } from 'zod';
import { inTransaction } from '../db';
import { writeLog } from '../audit/audit.repo';
import { errors } from '../errors';
import type { StaffActor } from '../members/permissions';
import type { WebhookPayload } from './webhook.events';
import * as repo from './webhook.repo';
import { type EventType, renderData, type Subject } from './webhook.render';
import type { DeliveryQuerySchema } from './webhook.schema';
import { getEndpoint, type WebhookDeps } from './webhook.service';
import { deliveryView } from './webhook.view';

function cursorOf(d: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([d.created_at.toISOString(), d.id])).toString('base64url');
}

function readCursor(raw: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new Error('bad');
    return { createdAt, id };
  } catch {
    throw errors.validation('The request query is not valid.', [{ path: 'before', message: 'is not a cursor this list gave' }]);
  }
}

/** The log of an endpoint, newest first, filtered by outcome, type or event id. */
export async function listDeliveries(deps: WebhookDeps, actor: StaffActor, siteId: string, id: string, q: z.infer<typeof DeliveryQuerySchema>) {
  await getEndpoint(deps, actor, siteId, id);
  const rows = await repo.listDeliveries(deps.db, id, {
    ok: q.status === undefined ? undefined : q.status === 'ok',
    eventType: q.type,
    eventId: q.eventId,
    before: q.before ? readCursor(q.before) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return { items: page.map(deliveryView), nextCursor: rows.length > q.limit ? cursorOf(page[page.length - 1]!) : null };
}

/** An endpoint's delivery log entry, for the actions on it. */
async function deliveryOf(deps: WebhookDeps, actor: StaffActor, siteId: string, id: string, deliveryId: string) {
  const endpoint = await getEndpoint(deps, actor, siteId, id);
  const d = await repo.findDelivery(deps.db, id, deliveryId);
  if (!d) throw errors.notFound('The delivery');
  return { endpoint, d };
}

/**
 * "Send again". An event still queued (the head of its lane, waiting out a delay) is tried now; one
 * already delivered or dropped is sent once more under its own webhook-id, outside the lanes, with
 * the current public view (the log never kept the payload).
 */
export async function retryDelivery(deps: WebhookDeps, actor: StaffActor, siteId: string, id: string, deliveryId: string) {
  const { endpoint, d } = await deliveryOf(deps, actor, siteId, id, deliveryId);
  const now = deps.clock.now();
  return inTransaction(deps, async (uow) => {
    const queued = await repo.outboxRowOf(uow.trx, d.event_id);
    if (queued && !queued.done_at && !queued.failed_at) {
      await repo.wakeQueue(uow.trx, endpoint.id, now);
      uow.afterCommit(() => deps.outbox.wake());
      return { eventId: d.event_id, queued: 'waiting' as const };
    }
    const subject: Subject = (queued?.payload as WebhookPayload | undefined)?.subject ?? {
      type: d.event_type as EventType,
      siteId,
      threadId: d.thread_id,
      id: d.subject_id,
      commenterId: null,
    };
    const data = (await renderData(uow.trx, subject)) ?? (queued?.payload as WebhookPayload | undefined)?.data;
    if (!data) throw errors.conflict('event_gone', 'What this event was about no longer exists, so it cannot be sent again.');
    const payload: WebhookPayload = { endpointId: endpoint.id, subject, at: (queued?.payload as WebhookPayload | undefined)?.at ?? d.created_at.toISOString(), data, resendOf: d.event_id };
    await deps.outbox.enqueue(uow, { kind: 'webhook', siteId, commenterId: queued?.commenter_id ?? null, payload });
    return { eventId: d.event_id, queued: 'again' as const };
  });
}

/**
 * "Skip the head": an admin gives up on the event at the head of its thread's queue (one that keeps
 * failing), so the events behind it go out. The skip is a line of the delivery log and of the site's
 * log; the event may still be sent again later, on its own.
 */
export async function skipHead(deps: WebhookDeps, actor: StaffActor, siteId: string, id: string, deliveryId: string) {
  const { endpoint, d } = await deliveryOf(deps, actor, siteId, id, deliveryId);
  const now = deps.clock.now();
  return inTransaction(deps, async (uow) => {
    const row = await repo.lockQueued(uow.trx, d.event_id);
    if (!row || row.done_at || row.failed_at) throw errors.conflict('not_queued', 'This event is no longer queued: there is nothing to skip.');
    if (row.locked_until && row.locked_until > now) throw errors.conflict('sending', 'This event is being sent right now: look again in a moment.');
    if (row.lane && (await repo.earlierQueued(uow.trx, row.lane, row.id))) throw errors.conflict('not_head', 'An earlier event of this thread is still queued: only the first one waiting can be skipped.');
    await repo.giveUp(uow.trx, row.id, now);
    await repo.logDelivery(uow.trx, {
      endpoint_id: endpoint.id,
      site_id: siteId,
      event_id: d.event_id,
      event_type: d.event_type,
      subject_id: d.subject_id,
      thread_id: d.thread_id,
      attempt: row.attempts,
      status_code: null,
      latency_ms: null,
      error: SKIPPED,
      ok: false,
      created_at: now,
    });
    await writeLog(uow.trx, { siteId, actor, action: 'webhook.skip', targetType: 'webhook', targetId: endpoint.id, details: { eventId: d.event_id, type: d.event_type } });
    uow.afterCommit(() => deps.outbox.wake());
    return { eventId: d.event_id, skipped: true as const };
  });
}

export const SKIPPED = 'Skipped by hand: the events behind it went on.';
