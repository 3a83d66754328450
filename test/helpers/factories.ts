import type { Db } from '../../server/db';
import { newId } from '../../server/ids';
import type { SiteSettings } from '../../server/sites/site.schema';
import type { TestParley } from './parley';

export const SITE_ORIGIN = 'https://news.example';

export async function buildSite(
  db: Db,
  overrides: { id?: string; origins?: string[]; settings?: Partial<SiteSettings> } = {},
) {
  return db
    .insertInto('sites')
    .values({
      id: overrides.id ?? `site-${newId().slice(0, 8)}`,
      name: 'The Daily Example',
      origins: JSON.stringify(overrides.origins ?? [SITE_ORIGIN]),
      // Automatic slow mode is off unless a test asks for it: seeding a thread posts faster than any crowd.
      settings: JSON.stringify({ slowModeAutoPerMinute: 0, ...overrides.settings }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildThread(db: Db, siteId: string, overrides: { key?: string; state?: 'open' | 'closed'; mode?: 'pre' | 'post' | 'first_time' | null } = {}) {
  return db
    .insertInto('threads')
    .values({
      id: newId(),
      site_id: siteId,
      key: overrides.key ?? `article-${newId().slice(0, 6)}`,
      url: 'https://news.example/articles/1',
      title: 'How would you resolve this stand-off?',
      state: overrides.state ?? 'open',
      mode: overrides.mode ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Posts a comment through the real API, as a reader would. */
export async function postComment(
  parley: TestParley,
  threadId: string,
  body: Record<string, unknown>,
  token?: string,
) {
  let req = parley.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json');
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  return req.send(body);
}

/** A commenter row, as a first post would create it (no token: tests act through the DB). */
export async function buildCommenter(db: Db, overrides: { name?: string | null; email?: string | null } = {}) {
  return db
    .insertInto('commenters')
    .values({ id: newId(), token_hash: null, name: overrides.name ?? 'Reader', email: overrides.email ?? null, website: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

type CommentOverrides = {
  status?: 'pending' | 'approved' | 'rejected' | 'spam' | 'deleted';
  commenterId?: string | null;
  parentId?: string | null;
  body?: string;
  ipHash?: string | null;
  flagCount?: number;
  createdAt?: Date;
};

/** A comment row's values as buildComment writes them (`commenterId` given: no commenter is made). */
export function commentValues(thread: { id: string; site_id: string }, overrides: CommentOverrides & { commenterId: string | null }) {
  const body = overrides.body ?? 'Off with their heads.';
  return {
    id: newId(),
    site_id: thread.site_id,
    thread_id: thread.id,
    parent_id: overrides.parentId ?? null,
    reply_to_id: null,
    root_id: overrides.parentId ?? null,
    depth: overrides.parentId ? 1 : 0,
    commenter_id: overrides.commenterId,
    member_id: null,
    author_name: 'Reader',
    author_website: null,
    badge: null,
    body_src: body,
    body_html: `<p>${body}</p>`,
    status: overrides.status ?? ('pending' as const),
    previous_status: null,
    flag_count: overrides.flagCount ?? 0,
    ip_hash: overrides.ipHash ?? null,
    user_agent: null,
    ...(overrides.createdAt ? { created_at: overrides.createdAt } : {}),
  };
}

/**
 * A comment row in any status, counted as the service would count it (thread comment_count and
 * the parent's reply_count for approved comments). For setting up moderation queues quickly.
 */
export async function buildComment(db: Db, thread: { id: string; site_id: string }, overrides: CommentOverrides = {}) {
  const status = overrides.status ?? 'pending';
  const commenterId = overrides.commenterId === undefined ? (await buildCommenter(db)).id : overrides.commenterId;
  const row = await db.insertInto('comments').values(commentValues(thread, { ...overrides, commenterId })).returningAll().executeTakeFirstOrThrow();
  if (status === 'approved') {
    await db.updateTable('threads').set((eb) => ({ comment_count: eb('comment_count', '+', 1) })).where('id', '=', thread.id).execute();
    if (row.parent_id) {
      await db.updateTable('comments').set((eb) => ({ reply_count: eb('reply_count', '+', 1) })).where('id', '=', row.parent_id).execute();
    }
  }
  return row;
}
