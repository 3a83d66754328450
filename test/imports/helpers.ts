import path from 'node:path';
import { sql } from 'kysely';
import type { Comment } from '../../db/schema';
import type { Db } from '../../server/db';

export const FIXTURES = path.resolve(__dirname, '../fixtures');
export const WXR = path.join(FIXTURES, 'naked-security.wxr.xml');
export const DISQUS = path.join(FIXTURES, 'techspot-forum.disqus.xml');

export interface Imported {
  row: Comment;
  threadKey: string;
  /** The external id of the comment this one is filed under, if any. */
  parentExt: string | null;
  replyToExt: string | null;
  email: string | null;
}

/** Every comment an import brought in, by the id it had in the file. */
export async function importedComments(db: Db, siteId: string, source: string): Promise<Map<string, Imported>> {
  const refs = await db
    .selectFrom('import_refs')
    .select(['external_id', 'local_id'])
    .where('site_id', '=', siteId)
    .where('source', '=', source)
    .where('kind', '=', 'comment')
    .execute();
  const extOf = new Map(refs.map((r) => [r.local_id, r.external_id]));
  const rows = await db
    .selectFrom('comments')
    .innerJoin('threads', 'threads.id', 'comments.thread_id')
    .leftJoin('commenters', 'commenters.id', 'comments.commenter_id')
    .selectAll('comments')
    .select(['threads.key as thread_key', 'commenters.email as commenter_email'])
    .where('comments.id', 'in', refs.length ? refs.map((r) => r.local_id) : ['none'])
    .execute();
  const out = new Map<string, Imported>();
  for (const r of rows) {
    const { thread_key, commenter_email, ...row } = r;
    out.set(extOf.get(r.id)!, {
      row: row as Comment,
      threadKey: thread_key,
      parentExt: r.parent_id ? (extOf.get(r.parent_id) ?? `local:${r.parent_id}`) : null,
      replyToExt: r.reply_to_id ? (extOf.get(r.reply_to_id) ?? `local:${r.reply_to_id}`) : null,
      email: commenter_email,
    });
  }
  return out;
}

/** The whole database as data, to prove an operation changed nothing at all. */
export async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by tablename`.execute(db);
  const out: Record<string, unknown[]> = {};
  for (const { tablename } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(tablename)}`.execute(db);
    out[tablename] = rows.rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}
