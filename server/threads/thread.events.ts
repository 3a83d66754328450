/**
 * The one path of every change readers see on a thread (as Outline's `insertEvent`): it takes the
 * thread's next `seq`, writes the replay row, runs the event's in-transaction writers and publishes
 * it after commit. Every payload is typed by one map, from where it is built to the socket contract
 * (realtime/contract.ts) and the replay; the batch insert of new comments writes the same row
 * (`threadEventRow`) inside its one statement.
 */
import type { UnitOfWork } from '../db';
import type { CommentView } from '../comments/comment.view';
import * as pollRepo from '../polls/poll.repo';
import { pollView } from '../polls/poll.view';
import * as repo from './thread.repo';
import { type ThreadView, threadView } from './thread.view';

export interface CommentEventPayload {
  threadId: string;
  seq: number;
  comment: CommentView;
}

/** A thread's state, title, settings or polls changed: always the whole thread, with its polls. */
export interface ThreadUpdatedPayload {
  threadId: string;
  seq: number;
  thread: ThreadView;
}

export interface ThreadEventPayloads {
  'comment:created': CommentEventPayload;
  'comment:updated': CommentEventPayload;
  'comment:removed': CommentEventPayload;
  'thread:updated': ThreadUpdatedPayload;
}

export type ThreadEventName = keyof ThreadEventPayloads;
export type CommentEventName = Exclude<ThreadEventName, 'thread:updated'>;

/** One recorded change: what the replay log holds and what the bus carries after commit. */
export type ThreadChange = {
  [K in ThreadEventName]: {
    siteId: string;
    threadId: string;
    seq: number;
    event: K;
    payload: ThreadEventPayloads[K];
    /** null: every reader; otherwise only this commenter may receive it. */
    audience: string | null;
  };
}[ThreadEventName];

/** What a writer says happened; the recorder adds the thread, the seq and the audience. */
export type ThreadChangeInput =
  | { event: CommentEventName; comment: CommentView; audience: string | null }
  | { event: 'thread:updated'; thread: ThreadView };

declare module '../events' {
  interface DomainEvents {
    /** Every change readers see on a thread, recorded with its seq (recordThreadEvent). */
    'thread.event': ThreadChange;
  }
}

/** The change as numbered: `seq` goes into the payload, and into a comment's own view. */
export function threadChange(where: { siteId: string; threadId: string }, seq: number, input: ThreadChangeInput): ThreadChange {
  const { siteId, threadId } = where;
  if (input.event === 'thread:updated') {
    return { siteId, threadId, seq, event: input.event, audience: null, payload: { threadId, seq, thread: { ...input.thread, seq } } };
  }
  const comment = { ...input.comment, seq };
  return { siteId, threadId, seq, event: input.event, audience: input.audience, payload: { threadId, seq, comment } };
}

/** The replay row of a change, as `thread_events` stores it (one builder for every writer). */
export function threadEventRow(change: ThreadChange) {
  return { thread_id: change.threadId, seq: change.seq, event: change.event, payload: change.payload, audience: change.audience };
}

/**
 * Records a change inside the caller's unit of work. The thread's row lock (nextSeq) is held until
 * commit, so the events of a thread commit in seq order.
 */
export async function recordThreadEvent(
  uow: UnitOfWork,
  where: { siteId: string; threadId: string },
  input: ThreadChangeInput,
): Promise<ThreadChange> {
  const seq = await repo.nextSeq(uow.trx, where.threadId);
  const change = threadChange(where, seq, input);
  await repo.appendEvent(uow.trx, threadEventRow(change));
  await uow.record('thread.event', change);
  return change;
}

/**
 * Records a change whose replay row another statement wrote (the batch insert of new comments,
 * which takes its seqs and writes `threadEventRow`s in one statement under the thread's lock).
 */
export async function recordWrittenThreadEvent(uow: UnitOfWork, change: ThreadChange): Promise<void> {
  await uow.record('thread.event', change);
}

/**
 * `thread:updated` for the thread as it is now in this transaction, with its polls as everyone sees
 * them (no results, no vote: clients read GET /polls/:id for their own view). `now`: its state as
 * its schedule makes it at that time (see threadView).
 */
export async function recordThreadUpdate(uow: UnitOfWork, threadId: string, now?: Date): Promise<ThreadChange> {
  const seq = await repo.nextSeq(uow.trx, threadId);
  const thread = (await repo.findThread(uow.trx, threadId))!;
  const polls = await pollRepo.pollsOfThread(uow.trx, threadId);
  const options = await pollRepo.optionsOf(uow.trx, polls.map((p) => p.id));
  const view = threadView(thread, { polls: polls.map((p) => pollView(p, options.filter((o) => o.poll_id === p.id), null, null)), now });
  const change = threadChange({ siteId: thread.site_id, threadId }, seq, { event: 'thread:updated', thread: view });
  await repo.appendEvent(uow.trx, threadEventRow(change));
  await uow.record('thread.event', change);
  return change;
}
