import { sql } from 'kysely';
import type { CommentStatus } from '../../db/schema';
import type { Tx } from '../db';
import type { ArchiveRecord, ArchiveRecordOf } from './archive.schema';
import { ImportFileError } from './import.errors';
import { insertMessages } from '../outbox/outbox.repo';
import { upcoming } from '../threads/schedule.rules';
import { threadScheduleMessage } from '../threads/thread.schedule';
import type { ReasonLog } from './import.report';

/** The SQL of restoring a Parley archive; every check names the archive line it is about. */
export interface ArchiveContext {
  trx: Tx;
  siteId: string;
  notes: ReasonLog;
  /** The restore's time: close and reopen times after it are scheduled as the API schedules them. */
  now: Date;
}
export type Line<T extends ArchiveRecord['type']> = { line: number; record: ArchiveRecordOf<T> };

export async function createArchiveTables(trx: Tx): Promise<void> {
  await sql`create temp table arc_new_comments (id text primary key, thread_id text not null, parent_id text,
    reply_to_id text, root_id text, answer_id text, line integer not null) on commit drop`.execute(trx);
  await sql`create temp table arc_new_polls (id text primary key, line integer not null) on commit drop`.execute(trx);
  await sql`create temp table arc_tallies (poll_id text, option_id text, votes integer, primary key (poll_id, option_id)) on commit drop`.execute(trx);
}

const otherSite = (what: string, id: string, site: string, line: number) =>
  new ImportFileError(`${what} ${id} already exists in another site ("${site}") of this database; restore into an empty database`, line);

/** The site is created from the archive; an existing site keeps its own name, origins and settings. */
export async function ensureSite(ctx: ArchiveContext, record: ArchiveRecordOf<'site'>): Promise<void> {
  const inserted = await ctx.trx
    .insertInto('sites')
    .values({
      id: ctx.siteId,
      name: record.name,
      origins: JSON.stringify(record.origins),
      settings: JSON.stringify(record.settings),
      created_at: record.createdAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) ctx.notes.add('the site already existed: its own name, origins and settings were kept', null, ctx.siteId);
}

/** Splits a batch into records new to the database and those already in this site; another site's id is an error. */
export async function partition<T extends { line: number; record: { id: string } }>(
  ctx: ArchiveContext,
  table: 'threads' | 'comments' | 'polls',
  what: string,
  batch: T[],
): Promise<{ fresh: T[]; existing: number }> {
  const rows = await ctx.trx
    .selectFrom(table)
    .select(['id', 'site_id'])
    .where('id', 'in', batch.map((b) => b.record.id))
    .execute();
  const owner = new Map(rows.map((r) => [r.id, r.site_id]));
  const fresh: T[] = [];
  const ids = new Set<string>();
  for (const b of batch) {
    const site = owner.get(b.record.id);
    if (site && site !== ctx.siteId) throw otherSite(what, b.record.id, site, b.line);
    if (ids.has(b.record.id)) throw new ImportFileError(`${what} ${b.record.id} appears twice in the archive`, b.line);
    ids.add(b.record.id);
    if (!site) fresh.push(b);
  }
  return { fresh, existing: batch.length - fresh.length };
}

export async function requireIn(ctx: ArchiveContext, table: 'threads' | 'comments', ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ctx.trx.selectFrom(table).select('id').where('site_id', '=', ctx.siteId).where('id', 'in', [...new Set(ids)]).execute();
  return new Set(rows.map((r) => r.id));
}

export async function commentersIn(ctx: ArchiveContext, ids: Array<string | null>): Promise<Set<string>> {
  const wanted = [...new Set(ids.filter((i): i is string => !!i))];
  if (wanted.length === 0) return new Set();
  return new Set((await ctx.trx.selectFrom('commenters').select('id').where('id', 'in', wanted).execute()).map((r) => r.id));
}

export async function insertThreads(ctx: ArchiveContext, batch: Line<'thread'>[]): Promise<{ created: number; matched: number }> {
  const { fresh, existing } = await partition(ctx, 'threads', 'thread', batch);
  if (fresh.length) {
    const clash = await ctx.trx
      .selectFrom('threads')
      .select(['key'])
      .where('site_id', '=', ctx.siteId)
      .where('key', 'in', fresh.map((b) => b.record.key))
      .executeTakeFirst();
    if (clash) {
      const b = fresh.find((f) => f.record.key === clash.key)!;
      throw new ImportFileError(`another thread with the key "${clash.key}" already exists in site "${ctx.siteId}"`, b.line);
    }
    await ctx.trx
      .insertInto('threads')
      .values(
        fresh.map(({ record: t }) => ({
          id: t.id,
          site_id: ctx.siteId,
          key: t.key,
          url: t.url,
          title: t.title,
          state: t.state,
          mode: t.mode,
          created_at: t.createdAt,
          format: t.format ?? 'comments',
          slow_mode_seconds: t.slowModeSeconds ?? null,
          links_allowed: t.linksAllowed ?? true,
          closes_at: t.closesAt ?? null,
          reopens_at: t.reopensAt ?? null,
        })),
      )
      .execute();
    // Times still to come close or reopen the restored thread then, telling live readers and webhooks.
    const scheduled = fresh.flatMap(({ record: t }) =>
      upcoming({ closes_at: t.closesAt ? new Date(t.closesAt) : null, reopens_at: t.reopensAt ? new Date(t.reopensAt) : null }, ctx.now).map((at) =>
        threadScheduleMessage(ctx.siteId, t.id, at),
      ),
    );
    await insertMessages(ctx.trx, ctx.now, scheduled);
  }
  return { created: fresh.length, matched: existing };
}

/** Commenters are shared by every site of a database: one already there is the same person. */
export async function insertCommenters(ctx: ArchiveContext, batch: Line<'commenter'>[]): Promise<number> {
  const inserted = await ctx.trx
    .insertInto('commenters')
    .values(
      batch.map(({ record: c }) => ({
        id: c.id,
        token_hash: c.tokenHash,
        name: c.name,
        email: c.email,
        website: c.website,
        show_vote: c.showVote,
        created_at: c.createdAt,
        erased_at: c.erasedAt,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

export async function insertComments(
  ctx: ArchiveContext,
  batch: Line<'comment'>[],
  render: (source: string) => string,
): Promise<{ inserted: number; existing: number }> {
  const { fresh, existing } = await partition(ctx, 'comments', 'comment', batch);
  if (fresh.length === 0) return { inserted: 0, existing };
  const threads = await requireIn(ctx, 'threads', fresh.map((b) => b.record.threadId));
  const commenters = await commentersIn(ctx, fresh.map((b) => b.record.commenterId));
  for (const { line, record: c } of fresh) {
    if (!threads.has(c.threadId)) throw new ImportFileError(`comment ${c.id} is in thread ${c.threadId}, which is not a thread of this archive`, line);
    if (c.commenterId && !commenters.has(c.commenterId)) throw new ImportFileError(`comment ${c.id} is by commenter ${c.commenterId}, who is not in the archive`, line);
  }
  await ctx.trx
    .insertInto('comments')
    .values(
      fresh.map(({ record: c }) => ({
        id: c.id,
        site_id: ctx.siteId,
        thread_id: c.threadId,
        parent_id: null,
        reply_to_id: null,
        root_id: null,
        depth: c.depth,
        commenter_id: c.commenterId,
        member_id: c.memberId,
        author_name: c.authorName,
        author_website: c.authorWebsite,
        badge: c.badge,
        body_src: c.bodySrc,
        // Rendered again here, never taken from the file: an edited archive cannot inject markup.
        body_html: render(c.bodySrc),
        status: c.status,
        previous_status: c.previousStatus,
        featured: c.featured,
        seq: 0,
        ip_hash: null,
        user_agent: null,
        created_at: c.createdAt,
        edited_at: c.editedAt,
        deleted_at: c.deletedAt,
      })),
    )
    .execute();
  await sql`insert into arc_new_comments (id, thread_id, parent_id, reply_to_id, root_id, answer_id, line)
    select * from jsonb_to_recordset(${JSON.stringify(
      fresh.map(({ line, record: c }) => ({ id: c.id, thread_id: c.threadId, parent_id: c.parentId, reply_to_id: c.replyToId, root_id: c.rootId, answer_id: c.answerId ?? null, line })),
    )}::jsonb) as x(id text, thread_id text, parent_id text, reply_to_id text, root_id text, answer_id text, line integer)`.execute(ctx.trx);
  const edits = fresh.flatMap(({ record: c }) => c.edits.map((e) => ({ comment_id: c.id, body_src: e.bodySrc, edited_at: e.editedAt })));
  if (edits.length) await ctx.trx.insertInto('comment_edits').values(edits).execute();
  return { inserted: fresh.length, existing };
}

/** Reactions and flags are restored only with the comments this run restored, so a re-run adds none. */
async function newComments(ctx: ArchiveContext, ids: string[]): Promise<Set<string>> {
  const rows = await sql<{ id: string }>`select id from arc_new_comments where id = any(${[...new Set(ids)]}::text[])`.execute(ctx.trx);
  return new Set(rows.rows.map((r) => r.id));
}

async function checkTargets<R extends { commentId: string; commenterId: string | null }>(
  ctx: ArchiveContext,
  batch: Array<{ line: number; record: R }>,
): Promise<R[]> {
  const inSite = await requireIn(ctx, 'comments', batch.map((b) => b.record.commentId));
  const commenters = await commentersIn(ctx, batch.map((b) => b.record.commenterId));
  for (const { line, record } of batch) {
    if (!inSite.has(record.commentId)) throw new ImportFileError(`comment ${record.commentId} is not in the archive`, line);
    if (record.commenterId && !commenters.has(record.commenterId)) throw new ImportFileError(`commenter ${record.commenterId} is not in the archive`, line);
  }
  const fresh = await newComments(ctx, batch.map((b) => b.record.commentId));
  return batch.filter((b) => fresh.has(b.record.commentId)).map((b) => b.record);
}

export async function insertReactions(ctx: ArchiveContext, batch: Line<'reaction'>[]): Promise<void> {
  const rows = await checkTargets(ctx, batch);
  if (rows.length === 0) return;
  await ctx.trx
    .insertInto('reactions')
    .values(rows.map((r) => ({ comment_id: r.commentId, commenter_id: r.commenterId, created_at: r.createdAt })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function insertFlags(ctx: ArchiveContext, batch: Line<'flag'>[]): Promise<void> {
  const rows = await checkTargets(ctx, batch);
  if (rows.length === 0) return;
  await ctx.trx
    .insertInto('flags')
    .values(rows.map((f) => ({ comment_id: f.commentId, commenter_id: f.commenterId, reason: f.reason, note: f.note, created_at: f.createdAt })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Parents once every comment is in, and counters from the restored rows. */
export async function linkRestoredComments(ctx: ArchiveContext): Promise<void> {
  const { trx } = ctx;
  const broken = await sql<{ id: string; line: number; missing: string }>`
    select a.id, a.line, coalesce(case when p.id is null and a.parent_id is not null then a.parent_id end,
                                  case when r.id is null and a.reply_to_id is not null then a.reply_to_id end,
                                  a.root_id) as missing
    from arc_new_comments a
    left join comments p on p.id = a.parent_id and p.thread_id = a.thread_id
    left join comments r on r.id = a.reply_to_id and r.thread_id = a.thread_id
    left join comments o on o.id = a.root_id and o.thread_id = a.thread_id
    where (a.parent_id is not null and p.id is null) or (a.reply_to_id is not null and r.id is null) or (a.root_id is not null and o.id is null)
    order by a.line limit 1`.execute(trx);
  if (broken.rows[0]) {
    const b = broken.rows[0];
    throw new ImportFileError(`comment ${b.id} answers comment ${b.missing}, which is not in the same thread of the archive`, b.line);
  }
  await sql`update comments c set parent_id = a.parent_id, reply_to_id = a.reply_to_id, root_id = a.root_id
    from arc_new_comments a where c.id = a.id and (a.parent_id is not null or a.reply_to_id is not null or a.root_id is not null)`.execute(trx);
  // A question's answer: a reply to it in the same thread, or nothing (an edited archive cannot point elsewhere).
  await sql`update comments c set answer_id = a.answer_id
    from arc_new_comments a join comments r on r.id = a.answer_id and r.thread_id = a.thread_id and r.parent_id = a.id
    where c.id = a.id`.execute(trx);
  await sql`update comments c set reaction_count = n.count from (
      select a.id, count(r.comment_id)::int as count from arc_new_comments a left join reactions r on r.comment_id = a.id group by a.id) n
    where c.id = n.id`.execute(trx);
  await sql`update comments c set flag_count = n.count from (
      select a.id, count(f.id)::int as count from arc_new_comments a left join flags f on f.comment_id = a.id group by a.id) n
    where c.id = n.id`.execute(trx);

}

export async function newCommentsByStatus(trx: Tx): Promise<Array<{ status: CommentStatus; n: number }>> {
  const rows = await sql<{ status: CommentStatus; n: number }>`
    select c.status, count(*)::int as n from comments c join arc_new_comments a on a.id = c.id group by c.status`.execute(trx);
  return rows.rows;
}
