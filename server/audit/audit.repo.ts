import { sql } from 'kysely';
import type { ModerationLogEntry } from '../../db/schema';
import type { Executor } from '../db';
import { actorRef, type StaffActor } from '../members/permissions';

/**
 * The moderation log: every staff action and system decision, on any site, in one table. Members,
 * sites, threads, moderation and privacy all write to it, so it is its own folder, not one of theirs.
 */
export interface LogEntry {
  siteId: string;
  /** undefined: the system (a rule, a job), not a person or key. */
  actor?: StaffActor;
  action: string;
  targetType: 'comment' | 'commenter' | 'ban' | 'site' | 'thread' | 'member' | 'key' | 'privacy_request' | 'webhook';
  targetId: string | null;
  commentId?: string | null;
  threadId?: string | null;
  commenterId?: string | null;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** Appends to the moderation log, in the caller's transaction: the entry commits with the change. */
export async function writeLog(db: Executor, entry: LogEntry): Promise<void> {
  const who = entry.actor ? actorRef(entry.actor) : null;
  await db
    .insertInto('moderation_log')
    .values({
      site_id: entry.siteId,
      actor_type: who?.type ?? 'system',
      actor_id: who?.id ?? null,
      actor_name: who?.name ?? null,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      comment_id: entry.commentId ?? null,
      thread_id: entry.threadId ?? null,
      commenter_id: entry.commenterId ?? null,
      from_status: entry.from ?? null,
      to_status: entry.to ?? null,
      reason: entry.reason ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** Newest first, by keyset on the id (which only grows). */
export async function listLog(
  db: Executor,
  siteId: string,
  options: { limit: number; before?: number; commentId?: string; commenterId?: string; action?: string },
): Promise<ModerationLogEntry[]> {
  let q = db.selectFrom('moderation_log').selectAll().where('site_id', '=', siteId);
  if (options.before !== undefined) q = q.where('id', '<', sql<number>`${options.before}::bigint`);
  if (options.commentId) q = q.where('comment_id', '=', options.commentId);
  if (options.commenterId) q = q.where('commenter_id', '=', options.commenterId);
  if (options.action) q = q.where('action', '=', options.action);
  return q.orderBy('id', 'desc').limit(options.limit).execute();
}

export function logView(e: ModerationLogEntry) {
  return {
    id: String(e.id),
    at: e.created_at.toISOString(),
    actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name },
    action: e.action,
    target: { type: e.target_type, id: e.target_id },
    commentId: e.comment_id,
    threadId: e.thread_id,
    from: e.from_status,
    to: e.to_status,
    reason: e.reason,
    details: e.details,
  };
}
