/**
 * The outbox handler of kind `webhook`: signs a row per Standard Webhooks and sends it, logs the
 * attempt, and keeps the endpoint's health. A failure is thrown back to the outbox, which retries
 * with growing delays and never gives up (`maxAttempts: Infinity`): the head of a lane waits, and
 * the events behind it with it, so a thread's order holds. Three days of failures switch the endpoint
 * off; its queue is kept and resumes, in order, when an admin switches it back on.
 */
import { Webhook } from 'standardwebhooks';
import type { Logger } from 'pino';
import type { Comment, WebhookDelivery, WebhookEndpoint } from '../../db/schema';
import type { Clock } from '../clock';
import { type Db, inTransaction } from '../db';
import type { EventBus } from '../events';
import { writeLog } from '../audit/audit.repo';
import * as commentRepo from '../comments/comment.repo';
import type { Outbox, OutboxJob, OutboxOutcome } from '../outbox/outbox';
import '../sites/notice.events';
import type { WebhookPayload } from './webhook.events';
import * as repo from './webhook.repo';
import { postOut } from './webhook.send';
import { slackMessage } from './slack.message';
import { commentData, renderData } from './webhook.render';

export const SWITCH_OFF_AFTER_MS = 3 * 86_400_000;
/** 30 s, doubling, at most an hour: a day of retries is some 30 tries, and they go on after it. */
export const webhookBackoff = (attempt: number) => Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);

export interface DeliveryDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  outbox: Outbox;
  allowPrivate: boolean;
}

/** The `webhook-signature` header: the current secret, and the previous one while it is still honoured. */
export function signatureHeader(e: Pick<WebhookEndpoint, 'secret' | 'previous_secret' | 'previous_until'>, id: string, at: Date, body: string, now: Date): string {
  const secrets = [e.secret];
  if (e.previous_secret && e.previous_until && e.previous_until > now) secrets.push(e.previous_secret);
  return secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' ');
}

/** The request of a row: its body and headers. Signatures and `webhook-timestamp` use real time (SPEC §13 "Time"). */
export function requestOf(e: WebhookEndpoint, job: Pick<OutboxJob<WebhookPayload>, 'uid' | 'payload'>, now: Date): { body: string; headers: Record<string, string> } {
  const p = job.payload;
  if (e.kind === 'slack') return { body: JSON.stringify(slackMessage(p.subject, p.data ?? {})), headers: {} };
  const id = p.resendOf ?? job.uid;
  const body = JSON.stringify({ type: p.subject.type, timestamp: p.at, data: p.data });
  const sentAt = new Date();
  return {
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signatureHeader(e, id, sentAt, body, now),
    },
  };
}

class NotSent extends Error {}

/** What a lane's run of webhook rows needs, read once for the run (`prepareRun`). */
export interface RunReads {
  endpoints: Map<string, WebhookEndpoint>;
  /** The comments the run's comment events are about, as they are now. */
  comments: Map<string, Comment>;
}

/**
 * The run's endpoints (a lane is one endpoint's) and the comments its events render, side by side:
 * two reads for a run of up to ten rows, instead of two for each row.
 */
export function prepareRun(db: Db) {
  return async (jobs: Array<OutboxJob<WebhookPayload>>): Promise<RunReads> => {
    const endpointIds = [...new Set(jobs.map((j) => j.payload.endpointId))];
    const commentIds = [...new Set(jobs.filter((j) => !j.payload.data && j.payload.subject.type.startsWith('comment.')).map((j) => j.payload.subject.id))];
    const [endpoints, comments] = await Promise.all([repo.endpointsByIds(db, endpointIds), commentRepo.findComments(db, commentIds)]);
    return { endpoints: new Map(endpoints.map((e) => [e.id, e])), comments: new Map(comments.map((c) => [c.id, c])) };
  };
}

/** One row of a run, with what `prepareRun` read for the run (the outbox gives it). */
export function webhookHandler(deps: DeliveryDeps) {
  return async (job: OutboxJob<WebhookPayload>, reads: RunReads): Promise<OutboxOutcome> => {
    const { subject } = job.payload;
    const endpoint = reads.endpoints.get(job.payload.endpointId);
    const ofComment = subject.type.startsWith('comment.');
    const data = job.payload.data ?? (ofComment ? commentData(reads.comments.get(subject.id), subject) : await renderData(deps.db, subject));
    if (!endpoint) return {}; // deleted: nobody to deliver to
    // Switched off: the row keeps its place (and its lane waits) until the endpoint is back on.
    if (!endpoint.enabled) throw new NotSent('The endpoint is switched off.');
    if (!data) return {}; // the comment is gone (rolled back or erased): nothing to tell
    job = { ...job, payload: { ...job.payload, data } };
    const { body, headers } = requestOf(endpoint, job, deps.clock.now());
    const result = await postOut(endpoint.url, headers, body, deps.allowPrivate);
    const now = deps.clock.now();
    const delivery = {
      endpoint_id: endpoint.id,
      site_id: endpoint.site_id,
      event_id: job.payload.resendOf ?? job.uid,
      event_type: job.payload.subject.type,
      subject_id: job.payload.subject.id,
      thread_id: job.payload.subject.threadId,
      attempt: job.attempt,
      status_code: result.status,
      latency_ms: result.latencyMs,
      error: result.error,
      ok: result.error === null,
      created_at: now,
    };
    // Sent: logged with the run's other sends when the run ends (`recordRun`), not a write per row.
    if (delivery.ok) return { note: delivery };
    const failing = await repo.recordFailure(deps.db, delivery);
    if (failing?.failing_since && now.getTime() - failing.failing_since.getTime() >= SWITCH_OFF_AFTER_MS) await switchOff(deps, failing, now);
    throw new Error(result.error ?? 'not delivered');
  };
}

/**
 * Three days of failures: the endpoint stops, the site's admins find it in the dashboard (the site's
 * log, the endpoint's state) and are mailed when mail is configured (`webhook.switched_off`).
 */
async function switchOff(deps: DeliveryDeps, e: WebhookEndpoint, now: Date): Promise<void> {
  const reason = 'failing for 3 days';
  const failingSince = e.failing_since?.toISOString() ?? null;
  await inTransaction(deps, async (uow) => {
    await repo.updateEndpoint(uow.trx, e.id, { enabled: false, disabled_at: now, disabled_reason: reason });
    await repo.recountEndpoints(uow.trx, e.site_id);
    await writeLog(uow.trx, { siteId: e.site_id, action: 'webhook.switched_off', targetType: 'webhook', targetId: e.id, details: { url: e.url, failingSince, reason } });
    await uow.record('webhook.switched_off', { siteId: e.site_id, endpointId: e.id, url: e.url, description: e.description, failingSince });
  });
  deps.log.warn({ webhook: { id: e.id, site: e.site_id } }, 'webhook endpoint switched off after 3 days of failures');
}

export function registerWebhookDelivery(deps: DeliveryDeps): void {
  deps.outbox.handle<WebhookPayload>('webhook', webhookHandler(deps), {
    maxAttempts: Infinity,
    backoffMs: webhookBackoff,
    prepare: prepareRun(deps.db),
    record: (done) => repo.recordDelivered(deps.db, done.map(({ job, note }) => ({ delivery: note as Omit<WebhookDelivery, 'id'>, outboxId: job.id })), deps.clock.now()),
  });
}
