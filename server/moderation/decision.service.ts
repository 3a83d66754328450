import type { Comment } from '../../db/schema';
import * as commentRepo from '../comments/comment.repo';
import { applyCounters, recordChange } from '../comments/comment.changes';
import { type Db, inTransaction, type UnitOfWork } from '../db';
import { AppError, errors } from '../errors';
import type { EventBus } from '../events';
import { authorize, type StaffActor } from '../members/permissions';
import * as threadRepo from '../threads/thread.repo';
import { writeLog } from '../audit/audit.repo';
import * as repo from './decision.repo';
import { planDecision } from './decision.rules';
import type { Action } from './moderation.schema';
import { recordSiteEvent } from '../sites/site.events';

export interface DecisionDeps {
  db: Db;
  bus: EventBus;
}

export interface DecisionOptions {
  reason?: string | null;
  version?: number;
  /** Extra context for the log (e.g. the ban that caused it). */
  details?: Record<string, unknown>;
}

function conflict(message: string, c: Comment): AppError {
  return errors.conflict('already_decided', message, [{ message, status: c.status, version: c.mod_version }]);
}

/**
 * One moderation decision, inside the caller's unit of work. Locks the thread (its next seq) and
 * then the comment; re-checks the state under the lock, so of two moderators deciding at once
 * exactly one wins and the other gets a 409. Counters, the thread events, the status event and
 * the log entry are written in the same transaction.
 */
export async function decideIn(uow: UnitOfWork, actor: StaffActor, commentId: string, action: Action, options: DecisionOptions = {}): Promise<Comment> {
  const { trx } = uow;
  const found = await commentRepo.findComment(trx, commentId);
  if (!found) throw errors.notFound('The comment');
  authorize(actor, found.site_id, 'moderate', 'The comment');

  await threadRepo.lockThread(trx, found.thread_id);
  const current = await repo.lockComment(trx, commentId);
  if (!current) throw errors.notFound('The comment');
  if (options.version !== undefined && options.version !== current.mod_version) {
    throw conflict('This comment changed since you saw it: someone else decided it first.', current);
  }
  const plan = planDecision(
    {
      status: current.status,
      featured: current.featured,
      openFlags: current.flag_count - current.flags_cleared,
      previousStatus: current.previous_status,
    },
    action,
  );
  if ('conflict' in plan) throw conflict(plan.conflict, current);

  let updated = await repo.applyDecision(trx, current, plan);
  if (!updated) throw conflict('This comment changed since you saw it: someone else decided it first.', current);

  await applyCounters(uow, current, updated);

  updated = await recordChange(uow, current, updated);
  // Recorded: the abuse model learns from it inside this transaction (bus.within).
  await recordSiteEvent(uow, 'moderation.decided', {
    siteId: updated.site_id,
    threadId: updated.thread_id,
    commentId: updated.id,
    action,
    from: current.status,
    to: updated.status,
  });
  await writeLog(trx, {
    siteId: updated.site_id,
    actor,
    action: `comment.${action}`,
    targetType: 'comment',
    targetId: updated.id,
    commentId: updated.id,
    threadId: updated.thread_id,
    commenterId: updated.commenter_id,
    from: current.status,
    to: updated.status,
    reason: options.reason ?? null,
    details: options.details,
  });
  return updated;
}

export async function decide(deps: DecisionDeps, actor: StaffActor, commentId: string, action: Action, options: DecisionOptions = {}) {
  return inTransaction(deps, (uow) => decideIn(uow, actor, commentId, action, options));
}

export type BulkResult =
  | { id: string; ok: true; comment: Comment }
  | { id: string; ok: false; error: { code: string; message: string; details: unknown[] } };

/** Many decisions, each in its own transaction: one conflict does not undo the others. */
export async function decideMany(
  deps: DecisionDeps,
  actor: StaffActor,
  input: { ids: string[]; action: Action; reason?: string },
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const id of input.ids) {
    try {
      results.push({ id, ok: true, comment: await decide(deps, actor, id, input.action, { reason: input.reason }) });
    } catch (err) {
      if (!(err instanceof AppError) || err.kind === 'unavailable' || err.kind === 'internal') throw err;
      results.push({ id, ok: false, error: { code: err.code, message: err.message, details: err.details } });
    }
  }
  return results;
}
