import { sql } from 'kysely';
import type { WebhookDelivery, WebhookEndpoint } from '../../db/schema';
import { type Db, type Executor, PREPARED, type SharedLast, type Tx } from '../db';
import { newId } from '../ids';
import { markDoneWith } from '../outbox/outbox.repo';

export interface NewEndpoint {
  id: string;
  siteId: string;
  kind: 'standard' | 'slack';
  url: string;
  events: string[];
  description: string;
  secret: string;
  slackSigningSecret: string | null;
  now: Date;
}

export async function insertEndpoint(trx: Executor, e: NewEndpoint): Promise<WebhookEndpoint> {
  return trx
    .insertInto('webhook_endpoints')
    .values({
      id: e.id,
      site_id: e.siteId,
      kind: e.kind,
      url: e.url,
      events: JSON.stringify(e.events),
      description: e.description,
      secret: e.secret,
      previous_secret: null,
      previous_until: null,
      slack_signing_secret: e.slackSigningSecret,
      failing_since: null,
      disabled_at: null,
      disabled_reason: null,
      created_at: e.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findEndpoint(db: Executor, siteId: string, id: string): Promise<WebhookEndpoint | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('site_id', '=', siteId).executeTakeFirst();
}

export function endpointsByIds(db: Executor, ids: string[]): Promise<WebhookEndpoint[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', 'in', ids).execute();
}

export function listEndpoints(db: Executor, siteId: string): Promise<WebhookEndpoint[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('site_id', '=', siteId).orderBy('created_at').orderBy('id').execute();
}

/** The endpoints a new event of the site goes to (filtered by event in code: a site has a handful). */
export function enabledEndpoints(trx: Executor, siteId: string): Promise<Array<Pick<WebhookEndpoint, 'id' | 'kind' | 'events'>>> {
  return trx.selectFrom('webhook_endpoints').select(['id', 'kind', 'events']).where('site_id', '=', siteId).where('enabled', '=', true).execute();
}

/** A new comment's event, as the batch that writes the comment queues it. */
export interface NewCommentEvent {
  siteId: string;
  threadId: string;
  type: string;
  /** Whether the site's Slack endpoints hear of it too. */
  slack: boolean;
  commenterId: string | null;
  payload: object;
  now: Date;
}

/**
 * The statement that queues new comments' events for each enabled endpoint of their site that asked
 * for them (and each Slack endpoint, when `slack`), in the endpoint's lane for the thread, in the
 * comments' order. It needs no answer and all its parameters are text, so a post's batch sends it
 * with its commit, one for the batch's posts (`SharedLast`): the new comments' rows are written by
 * then, and their public views are rendered when the events are sent.
 */
export function queueNewCommentEvent(event: NewCommentEvent): SharedLast<NewCommentEvent> {
  return { key: `webhook-new:${event.siteId}:${event.threadId}`, input: event, build: newCommentEventsStatement };
}

function newCommentEventsStatement(events: NewCommentEvent[]) {
  const { siteId, threadId } = events[0]!;
  const rows = JSON.stringify(
    events.map((e, ord) => ({ ord, type: e.type, slack: e.slack ? 'yes' : 'no', commenter: e.commenterId, payload: e.payload, at: e.now.toISOString() })),
  );
  // Prepared once per connection: a busy thread runs it on every batch.
  return sql`${PREPARED}
    insert into outbox (uid, kind, lane, site_id, commenter_id, payload, next_attempt_at, created_at)
    select substr(md5(random()::text || clock_timestamp()::text || e.id), 1, 16), 'webhook',
      'wh:' || e.id || ':thread:' || ${threadId}::text, ${siteId}::text, p.commenter,
      jsonb_build_object('endpointId', e.id) || p.payload, p.at::timestamptz, p.at::timestamptz
    from jsonb_to_recordset(${rows}::jsonb) as p(ord int, type text, slack text, commenter text, payload jsonb, at text)
    join webhook_endpoints e on e.site_id = ${siteId}::text and e.enabled
      and (e.events ? p.type or (e.kind = 'slack' and p.slack = 'yes'))
    order by p.ord, e.id`;
}

/**
 * Keeps `sites.webhook_endpoints` (the site's enabled endpoints, read with the site by the changes
 * that record events) right, in the transaction that created, deleted, enabled or disabled one. The
 * site's row is locked first, so two such changes at once count each other's endpoint.
 */
export async function recountEndpoints(trx: Tx, siteId: string): Promise<void> {
  await trx.selectFrom('sites').select('id').where('id', '=', siteId).forUpdate().execute();
  await trx
    .updateTable('sites')
    .set({
      webhook_endpoints: (eb) =>
        eb.selectFrom('webhook_endpoints').select((e) => e.fn.countAll<number>().as('n')).where('site_id', '=', siteId).where('enabled', '=', true),
    })
    .where('id', '=', siteId)
    .execute();
}

/** What an update may change: every column but the endpoint's identity, events as a plain list. */
export type EndpointChanges = Partial<Omit<WebhookEndpoint, 'id' | 'site_id' | 'kind' | 'created_at' | 'events'> & { events: string[] }>;

export async function updateEndpoint(trx: Executor, id: string, changes: EndpointChanges): Promise<WebhookEndpoint> {
  const { events, ...rest } = changes;
  return trx
    .updateTable('webhook_endpoints')
    .set({ ...rest, ...(events ? { events: JSON.stringify(events) } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteEndpoint(trx: Tx, id: string): Promise<void> {
  // Its queued deliveries go with it: nobody would receive them.
  await trx.deleteFrom('outbox').where('kind', '=', 'webhook').where('lane', 'like', `wh:${id}:%`).execute();
  await trx.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
}

/** Rows of an endpoint waiting for a retry become due now (re-enabled, or "send again" of a head). */
export async function wakeQueue(db: Executor, endpointId: string, now: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ next_attempt_at: now })
    .where('kind', '=', 'webhook')
    .where('lane', 'like', `wh:${endpointId}:%`)
    .where('done_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('next_attempt_at', '>', now)
    .execute();
}

/**
 * A failed attempt of the outbox handler: its log row, and the endpoint's health in the same
 * statement (a failure starts a run of failures, set once). The endpoint as it is now.
 */
export async function recordFailure(db: Db, d: Omit<WebhookDelivery, 'id'>): Promise<WebhookEndpoint | undefined> {
  const logged = db.with('logged', (q) => q.insertInto('webhook_deliveries').values({ id: newId(), ...d }).returning('id'));
  return logged
    .updateTable('webhook_endpoints')
    .set({ failing_since: sql`coalesce(failing_since, ${d.created_at})` })
    .where('id', '=', d.endpoint_id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * A run's successful sends, in one statement: their log rows, their outbox rows marked done (the
 * kind's outbox `record`), and their endpoints' health. A success ends the failures that began
 * before it; a failure of the same run, recorded already (it stopped the run), began after them.
 */
export async function recordDelivered(db: Db, sent: Array<{ delivery: Omit<WebhookDelivery, 'id'>; outboxId: number }>, now: Date): Promise<void> {
  if (!sent.length) return;
  const endpointIds = [...new Set(sent.map((s) => s.delivery.endpoint_id))];
  const lastSent = new Date(Math.max(...sent.map((s) => s.delivery.created_at.getTime())));
  await db
    .with('logged', (q) => q.insertInto('webhook_deliveries').values(sent.map((s) => ({ id: newId(), ...s.delivery }))).returning('id'))
    .with('done', (q) => markDoneWith(q, sent.map((s) => s.outboxId), now).returning('id'))
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('id', 'in', endpointIds)
    .where('failing_since', '<=', lastSent)
    .execute();
}

export async function logDelivery(
  db: Executor,
  d: Omit<WebhookDelivery, 'id'>,
): Promise<void> {
  await db.insertInto('webhook_deliveries').values({ id: newId(), ...d }).execute();
}

export interface DeliveryFilter {
  ok?: boolean;
  eventType?: string;
  eventId?: string;
  before?: { createdAt: Date; id: string };
  limit: number;
}

export function listDeliveries(db: Executor, endpointId: string, f: DeliveryFilter): Promise<WebhookDelivery[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
  if (f.ok !== undefined) q = q.where('ok', '=', f.ok);
  if (f.eventType) q = q.where('event_type', '=', f.eventType);
  if (f.eventId) q = q.where('event_id', '=', f.eventId);
  if (f.before) {
    const { createdAt, id } = f.before;
    q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export function findDelivery(db: Executor, endpointId: string, id: string): Promise<WebhookDelivery | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).where('id', '=', id).executeTakeFirst();
}

/** The outbox row of an event (its webhook-id), if still kept. */
export function outboxRowOf(db: Executor, uid: string) {
  return db.selectFrom('outbox').selectAll().where('uid', '=', uid).where('kind', '=', 'webhook').executeTakeFirst();
}

/** An event's outbox row, locked for a decision on it (skipping it). */
export function lockQueued(trx: Tx, uid: string) {
  return trx.selectFrom('outbox').selectAll().where('uid', '=', uid).where('kind', '=', 'webhook').forUpdate().executeTakeFirst();
}

/** Whether an earlier row of the lane is still to deliver (the row is not the lane's head). */
export async function earlierQueued(trx: Tx, lane: string, id: number): Promise<boolean> {
  const row = await trx.selectFrom('outbox').select('id').where('lane', '=', lane).where('id', '<', id).where('done_at', 'is', null).where('failed_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/** Given up on: the row leaves its lane's queue (kept, as failed, until retention). */
export async function giveUp(trx: Tx, id: number, now: Date): Promise<void> {
  await trx.updateTable('outbox').set({ failed_at: now, locked_until: null, last_error: 'skipped' }).where('id', '=', id).execute();
}

export async function pruneDeliveries(db: Executor, siteId: string, before: Date): Promise<number> {
  const r = await db.deleteFrom('webhook_deliveries').where('site_id', '=', siteId).where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export function slackLinkOf(db: Executor, siteId: string, slackUserId: string) {
  return db.selectFrom('slack_links').select(['member_id']).where('site_id', '=', siteId).where('slack_user_id', '=', slackUserId).executeTakeFirst();
}

export function listSlackLinks(db: Executor, siteId: string) {
  return db.selectFrom('slack_links').selectAll().where('site_id', '=', siteId).orderBy('created_at').execute();
}

export async function linkSlackUser(db: Executor, siteId: string, slackUserId: string, memberId: string, now: Date): Promise<void> {
  await db
    .insertInto('slack_links')
    .values({ site_id: siteId, slack_user_id: slackUserId, member_id: memberId, created_at: now })
    .onConflict((oc) => oc.columns(['site_id', 'slack_user_id']).doUpdateSet({ member_id: memberId, created_at: now }))
    .execute();
}

export async function unlinkSlackUser(db: Executor, siteId: string, slackUserId: string): Promise<boolean> {
  const r = await db.deleteFrom('slack_links').where('site_id', '=', siteId).where('slack_user_id', '=', slackUserId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Log rows about a reader's comments or about the reader (erasure), or counted for their export. */
export function deliveriesAbout(db: Executor, siteId: string | undefined, subjectIds: string[]) {
  if (subjectIds.length === 0) return Promise.resolve([]);
  let q = db.selectFrom('webhook_deliveries').select(['event_type', 'created_at', 'ok', 'site_id']).where('subject_id', 'in', subjectIds);
  if (siteId) q = q.where('site_id', '=', siteId);
  return q.orderBy('created_at').execute();
}

export async function deleteDeliveriesAbout(db: Executor, siteId: string | undefined, subjectIds: string[]): Promise<number> {
  if (subjectIds.length === 0) return 0;
  let q = db.deleteFrom('webhook_deliveries').where('subject_id', 'in', subjectIds);
  if (siteId) q = q.where('site_id', '=', siteId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}
