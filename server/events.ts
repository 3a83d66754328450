/**
 * The typed map of internal domain events and a small bus. Client socket events are a separate map
 * (realtime/contract.ts): this one is internal.
 *
 * Two kinds of listener, as SPEC §13 "Events, outbox and listeners" asks:
 * - `within`: a writer that runs inside the transaction that records the event (an outbox row, a
 *   model's sample), so what it writes commits or rolls back with the change;
 * - `on`: after commit, for sockets and caches only. A rolled-back change is never announced.
 *
 * Core names no domain: a domain adds the events it owns to `DomainEvents` by declaration merging in
 * its own `*.events.ts` (the thread stream: threads/thread.events.ts).
 */
import type { RawBuilder, Transaction } from 'kysely';
import type { Database } from '../db/schema';

export interface DomainEvents {
  /** `queueVersion` (set when recorded): the site's queue counter after this change, when it moved a queue. */
  /** A comment's status changed (from null: it was just written). Its place in the thread travels with it: the row may not be written yet when in-transaction writers run (a post's batch writes last). */
  /** `siteEndpoints`: the site's enabled webhook endpoints, when the change read them with the site (a post). */
  'comment.status': {
    siteId: string;
    threadId: string;
    commentId: string;
    parentId: string | null;
    replyToId: string | null;
    commenterId: string | null;
    from: string | null;
    to: string;
    queueVersion?: number;
    siteEndpoints?: number;
  };
  'commenter.revoked': { commenterId: string };
  /**
   * Staff access ended or shrank: sessions ended (logout, password change or reset), a key revoked,
   * or a member's role on a site removed or lowered below moderation. Live moderation feeds opened
   * with that access stop, on every instance.
   */
  'staff.revoked': { sessionHashes?: string[]; apiKeyId?: string; memberSite?: { memberId: string; siteId: string } };
  /** Every moderation decision, including those that change no status (flags cleared, featured). */
  'moderation.decided': { siteId: string; threadId: string; commentId: string; action: string; from: string; to: string; queueVersion?: number };
  /** A ballot was cast, changed or withdrawn: live results are recomputed, coalesced per poll. */
  'poll.voted': { siteId: string; threadId: string; pollId: string; commenterId: string };
  /**
   * A reader reported a comment. `flagCount` is after this report; `entered` is true for the report
   * that brought an approved comment to the site's threshold (it joins the flagged queue).
   */
  'comment.flagged': {
    siteId: string;
    threadId: string;
    commentId: string;
    flagCount: number;
    threshold: number;
    entered: boolean;
    reason: string;
    queueVersion?: number;
  };
  /**
   * An import or restore added comments to a site in bulk: moderation queues and counts should be
   * read again (one event per import rather than a `comment.status` per imported comment).
   */
  'site.imported': { siteId: string; threads: number; comments: number };
}

export type DomainEventName = keyof DomainEvents;
type Handler<K extends DomainEventName> = (payload: DomainEvents[K]) => void;
/**
 * A statement left for the end of a transaction that the changes of one transaction share (a
 * batch's posts, each telling its thread's followers): those with the same `key` become one
 * statement, built from all their inputs, where the first of them was left.
 */
export interface SharedLast<T = any> {
  key: string;
  input: T;
  build(inputs: T[]): RawBuilder<unknown>;
}
export type LastStatement = RawBuilder<unknown> | SharedLast;

/** What a writer may ask of the transaction it runs in. */
export interface WriterContext {
  /** A callback once it has committed (waking the outbox worker). */
  afterCommit(fn: () => void): void;
  /**
   * A statement to run last, after the change's own statements, whose answer nobody needs (an
   * `insert … select`). A post's batch sends it with its commit in one message: a writer that needs
   * no answer costs the thread's lock no round trip (see thread-writer.ts).
   */
  last(statement: LastStatement): void;
}
/** A writer inside the transaction of the change: it may write rows, and a failure rolls it all back. */
export type InTransactionWriter<K extends DomainEventName> = (
  trx: Transaction<Database>,
  payload: DomainEvents[K],
  context: WriterContext,
) => Promise<void>;

export interface EventBus {
  /** After commit. */
  on<K extends DomainEventName>(name: K, handler: Handler<K>): () => void;
  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void;
  /** Inside the transaction that records the event (see UnitOfWork.record). */
  within<K extends DomainEventName>(name: K, writer: InTransactionWriter<K>): () => void;
  writersOf<K extends DomainEventName>(name: K): ReadonlyArray<InTransactionWriter<K>>;
}

export function createEventBus(onError: (err: unknown, name: string) => void = () => {}): EventBus {
  const handlers = new Map<string, Set<Handler<any>>>();
  const writers = new Map<string, Set<InTransactionWriter<any>>>();
  const add = <T>(map: Map<string, Set<T>>, name: string, item: T) => {
    let set = map.get(name);
    if (!set) map.set(name, (set = new Set()));
    set.add(item);
    return () => void set!.delete(item);
  };
  return {
    on: (name, handler) => add(handlers, name, handler),
    within: (name, writer) => add(writers, name, writer),
    writersOf: (name) => [...(writers.get(name) ?? [])],
    emit(name, payload) {
      for (const handler of handlers.get(name) ?? []) {
        try {
          handler(payload);
        } catch (err) {
          onError(err, name);
        }
      }
    },
  };
}
