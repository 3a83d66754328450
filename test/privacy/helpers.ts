import { sql } from 'kysely';
import type { Db } from '../../server/db';
import { startTestParley, type TestParley } from '../helpers/parley';

export type PrivacyParley = TestParley;

/**
 * startTestParley keeping every log line it writes (at debug level, through the production logger
 * and its redaction) and every domain event, so a test can search them. TRUST_PROXY=loopback lets a
 * test give each reader its own address through X-Forwarded-For.
 */
export function startPrivacyParley(env: Record<string, string> = {}): Promise<PrivacyParley> {
  return startTestParley({ TRUST_PROXY: 'loopback', ...env }, { capture: true });
}

export interface Finding {
  table: string;
  column: string;
  needle: string;
}

/**
 * Searches every column of every table in the database — discovered from pg_catalog, each cast to
 * text — for each needle (case-insensitive). Returns where each was found; an empty list means
 * nothing anywhere.
 */
export async function scanDatabase(db: Db, needles: string[]): Promise<Finding[]> {
  const columns = await sql<{ table: string; column: string }>`
    select c.relname as table, a.attname as column
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_class c on c.oid = a.attrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`.execute(db);
  const findings: Finding[] = [];
  for (const { table, column } of columns.rows) {
    for (const needle of needles) {
      const pattern = `%${needle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const found = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(table)} where lower(${sql.ref(column)}::text) like ${pattern}`.execute(db);
      if (found.rows[0]!.n > 0) findings.push({ table, column, needle });
    }
  }
  return findings;
}

/** Tables the scan covered, so a test can show it really looked everywhere. */
export async function tableNames(db: Db): Promise<string[]> {
  const rows = await sql<{ relname: string }>`
    select c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`.execute(db);
  return rows.rows.map((r) => r.relname);
}

/**
 * Every stored counter recomputed from the rows it counts: thread comment counts (approved
 * comments), reply counts (listed direct replies: approved ones, and deleted, rejected or spam ones
 * that hold a place for replies of their own), reaction and flag tallies. Returns mismatches.
 */
export async function dishonestCounters(db: Db): Promise<string[]> {
  const result = await sql<{ problem: string }>`
    select 'thread ' || t.id || ' comment_count ' || t.comment_count || ' <> ' || count(c.id) as problem
    from threads t left join comments c on c.thread_id = t.id and c.status = 'approved'
    group by t.id having t.comment_count <> count(c.id)
    union all
    select 'comment ' || p.id || ' reply_count ' || p.reply_count || ' <> ' || n.listed
    from comments p cross join lateral (
      select count(*) as listed from comments r
      where r.parent_id = p.id and (r.status = 'approved' or (r.status in ('deleted', 'rejected', 'spam') and r.reply_count > 0))
    ) n
    where p.reply_count <> n.listed
    union all
    select 'comment ' || p.id || ' reaction_count ' || p.reaction_count
    from comments p where p.reaction_count <> (select count(*) from reactions x where x.comment_id = p.id)
    union all
    select 'comment ' || p.id || ' flag_count ' || p.flag_count
    from comments p where p.flag_count <> (select count(*) from flags f where f.comment_id = p.id)`.execute(db);
  return result.rows.map((r) => r.problem);
}

/** Posts as a reader from a given address (X-Forwarded-For, trusted from loopback in these tests). */
export function postAs(
  parley: PrivacyParley,
  threadId: string,
  body: Record<string, unknown>,
  options: { token?: string; ip?: string; userAgent?: string } = {},
) {
  let req = parley.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json');
  if (options.token) req = req.set('Authorization', `Bearer ${options.token}`);
  if (options.ip) req = req.set('X-Forwarded-For', options.ip);
  if (options.userAgent) req = req.set('User-Agent', options.userAgent);
  return req.send(body);
}

/** A like, written as the reactions endpoint would: the row and the tally in one transaction. */
export async function react(db: Db, commentId: string, commenterId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('reactions').values({ comment_id: commentId, commenter_id: commenterId }).execute();
    await trx.updateTable('comments').set((eb) => ({ reaction_count: eb('reaction_count', '+', 1) })).where('id', '=', commentId).execute();
  });
}

/** A report, written as the flags endpoint would. */
export async function flag(db: Db, commentId: string, commenterId: string, reason: string, note?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('flags').values({ comment_id: commentId, commenter_id: commenterId, reason, note: note ?? null }).execute();
    await trx.updateTable('comments').set((eb) => ({ flag_count: eb('flag_count', '+', 1) })).where('id', '=', commentId).execute();
  });
}

/** An earlier version of a comment, as the edit endpoint keeps it. */
export async function addEdit(db: Db, commentId: string, previousBody: string): Promise<void> {
  await db.insertInto('comment_edits').values({ comment_id: commentId, body_src: previousBody }).execute();
  await db.updateTable('comments').set({ edited_at: new Date() }).where('id', '=', commentId).execute();
}

export async function commenterIdOf(db: Db, commentId: string): Promise<string> {
  const row = await db.selectFrom('comments').select('commenter_id').where('id', '=', commentId).executeTakeFirstOrThrow();
  return row.commenter_id!;
}
