import type { Executor } from '../db';

/** The reads of an export: everything held about one commenter, optionally within one site. */

export async function commentsOf(db: Executor, commenterId: string, siteId?: string) {
  let q = db
    .selectFrom('comments as c')
    .innerJoin('threads as t', 't.id', 'c.thread_id')
    .selectAll('c')
    .select(['t.key as thread_key', 't.url as thread_url', 't.title as thread_title'])
    .where('c.commenter_id', '=', commenterId);
  if (siteId) q = q.where('c.site_id', '=', siteId);
  return q.orderBy('c.created_at').orderBy('c.id').execute();
}

export async function editsOf(db: Executor, commentIds: string[]) {
  if (commentIds.length === 0) return [];
  return db
    .selectFrom('comment_edits')
    .select(['comment_id', 'body_src', 'edited_at'])
    .where('comment_id', 'in', commentIds)
    .orderBy('comment_id')
    .orderBy('edited_at')
    .orderBy('id')
    .execute();
}

export async function reactionsOf(db: Executor, commenterId: string, siteId?: string) {
  let q = db
    .selectFrom('reactions as r')
    .innerJoin('comments as c', 'c.id', 'r.comment_id')
    .select(['r.comment_id', 'c.thread_id', 'c.site_id', 'r.created_at'])
    .where('r.commenter_id', '=', commenterId);
  if (siteId) q = q.where('c.site_id', '=', siteId);
  return q.orderBy('r.created_at').execute();
}

export async function flagsOf(db: Executor, commenterId: string, siteId?: string) {
  let q = db
    .selectFrom('flags as f')
    .innerJoin('comments as c', 'c.id', 'f.comment_id')
    .select(['f.comment_id', 'c.thread_id', 'c.site_id', 'f.reason', 'f.note', 'f.created_at'])
    .where('f.commenter_id', '=', commenterId);
  if (siteId) q = q.where('c.site_id', '=', siteId);
  return q.orderBy('f.created_at').execute();
}

export async function sitesByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('sites').selectAll().where('id', 'in', ids).execute();
}

/** Lost-token requests pending under the commenter's email (they hold that email until done). */
export async function pendingRequestsFor(db: Executor, email: string | null) {
  if (!email) return [];
  return db
    .selectFrom('privacy_requests')
    .select(['id', 'site_id', 'kind', 'channel', 'created_at', 'expires_at'])
    .where('status', '=', 'pending')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .orderBy('created_at')
    .execute();
}
