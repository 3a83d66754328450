/**
 * Webhook rows written with the change (SPEC §13 "Events, outbox and listeners"): an in-transaction
 * writer per domain event maps it to the event types of SPEC §10 and writes one outbox row per
 * endpoint of the site that asked for that type. A thread's events share a lane per endpoint (its
 * `seq` order is the order the rows are written in, under the thread's lock); site-level events
 * have a lane of their own; one endpoint failing never holds another back.
 */
import type { Tx } from '../db';
import type { DomainEventName, DomainEvents, EventBus, WriterContext } from '../events';
import type { Outbox } from '../outbox/outbox';
import '../sites/notice.events';
import * as repo from './webhook.repo';
import { commenterOf, type EventType, renderData, type Subject } from './webhook.render';

export interface WebhookPayload {
  endpointId: string;
  subject: Subject;
  /** When the event happened (the body's `timestamp`). */
  at: string;
  /** The public view; null: rendered when sent (the subject's row was not written yet). */
  data: Record<string, unknown> | null;
  /** "Send again" of an earlier delivery: its webhook-id. */
  resendOf?: string;
}

const STATUS_EVENTS: Record<string, EventType> = { approved: 'comment.approved', rejected: 'comment.rejected', spam: 'comment.spam', deleted: 'comment.deleted' };

/** The webhook subjects of a domain event (none for most). */
type Mapper<K extends DomainEventName> = (e: DomainEvents[K]) => Subject[];
const mappers: { [K in DomainEventName]?: Mapper<K> } = {
  'comment.status': (e) => {
    const type = e.from === null ? 'comment.created' : STATUS_EVENTS[e.to];
    return type ? [{ type, siteId: e.siteId, threadId: e.threadId, id: e.commentId, commenterId: null, status: e.to }] : [];
  },
  'moderation.decided': (e) =>
    e.action === 'feature' ? [{ type: 'comment.featured', siteId: e.siteId, threadId: e.threadId, id: e.commentId, commenterId: null }] : [],
  'comment.flagged': (e) => [
    { type: 'comment.flagged', siteId: e.siteId, threadId: e.threadId, id: e.commentId, commenterId: null, extra: { flagCount: e.flagCount, reason: e.reason } },
  ],
  'comment.edited': (e) => [{ type: 'comment.edited', siteId: e.siteId, threadId: e.threadId, id: e.commentId, commenterId: e.commenterId }],
  'thread.lifecycle': (e) => [{ type: e.type, siteId: e.siteId, threadId: e.threadId, id: e.threadId, commenterId: null }],
  'poll.closed': (e) => [{ type: 'poll.closed', siteId: e.siteId, threadId: e.threadId, id: e.pollId, commenterId: null }],
  'ban.created': (e) => [
    { type: 'ban.created', siteId: e.siteId, threadId: null, id: e.banId, commenterId: e.commenterId, extra: { expiresAt: e.expiresAt } },
  ],
  'commenter.erased': (e) =>
    (e.siteId ? [e.siteId] : (e.sites ?? [])).map((siteId) => ({ type: 'commenter.erased' as const, siteId, threadId: null, id: e.commenterId, commenterId: null })),
};

/** Slack hears of comments a moderator should look at: new pending ones and flagged ones. */
function slackWants(s: Subject, data: Record<string, unknown> | null): boolean {
  const status = (data?.comment as { status?: string } | undefined)?.status ?? s.status;
  return (s.type === 'comment.created' && (status === 'pending' || status === 'spam')) || s.type === 'comment.flagged';
}

export function laneOf(endpointId: string, s: Pick<Subject, 'threadId'>): string {
  return s.threadId ? `wh:${endpointId}:thread:${s.threadId}` : `wh:${endpointId}:site`;
}

async function writeRows(outbox: Outbox, now: () => Date, trx: Tx, context: WriterContext, subjects: Subject[]): Promise<void> {
  const endpointsOf = new Map<string, Awaited<ReturnType<typeof repo.enabledEndpoints>>>();
  for (const subject of subjects) {
    let endpoints = endpointsOf.get(subject.siteId);
    if (!endpoints) endpointsOf.set(subject.siteId, (endpoints = await repo.enabledEndpoints(trx, subject.siteId)));
    const wanted = endpoints.filter((e) => (e.events as unknown as string[]).includes(subject.type) || e.kind === 'slack');
    if (wanted.length === 0) continue;
    // A new comment of a batch may be written by the batch's last statement, after this writer runs
    // (PostgreSQL's one-trip commit): its public view is then rendered when it is sent.
    const data = await renderData(trx, subject);
    if (!data && subject.type !== 'comment.created') continue;
    const at = now().toISOString();
    // Rows about a reader's comment go with that reader's data (export, erasure).
    const commenterId = await commenterOf(trx, subject);
    const messages = wanted
      .filter((e) => e.kind !== 'slack' || slackWants(subject, data))
      .map((e) => ({
        kind: 'webhook',
        lane: laneOf(e.id, subject),
        siteId: subject.siteId,
        commenterId,
        payload: { endpointId: e.id, subject, at, data } satisfies WebhookPayload,
      }));
    await outbox.enqueue({ trx, afterCommit: context.afterCommit }, messages);
  }
}

/** Registers the writers; returns a function that removes them. */
export function registerWebhookWriters(deps: { bus: EventBus; outbox: Outbox; clock: { now(): Date } }): () => void {
  const offs = (Object.keys(mappers) as DomainEventName[]).map((name) =>
    deps.bus.within(name, async (trx, payload, context) => {
      // A site without endpoints, as the change read it with the site (a post): nothing to ask or write.
      if ((payload as { siteEndpoints?: number }).siteEndpoints === 0) return;
      const subjects = (mappers[name] as Mapper<typeof name>)(payload as never);
      await writeRows(deps.outbox, () => deps.clock.now(), trx, context, subjects);
    }),
  );
  return () => offs.forEach((off) => off());
}
