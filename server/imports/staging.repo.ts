import crypto from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { CommentStatus, Database } from '../../db/schema';
import type { Tx } from '../db';

/**
 * Records read from a file wait in temporary tables of the import's own transaction: replies can
 * then find parents that come later in the file, and nothing of the file is held in memory. The
 * tables vanish at commit or rollback.
 */
export interface ThreadRecord {
  /** The id the other system gave the article (WordPress post id, Disqus thread id). */
  extId: string;
  /** The publisher's own identifier, if the file has one (WordPress post id, Disqus identifier). */
  ident: string | null;
  /** The key a new thread gets: its canonical URL, or the identifier when there is no URL. */
  key: string;
  url: string | null;
  title: string | null;
  closed: boolean;
  createdAt: Date | null;
  line: number;
}

export interface CommentRecord {
  extId: string;
  threadExt: string;
  parentExt: string | null;
  authorName: string | null;
  email: string | null;
  website: string | null;
  badge: string | null;
  bodySrc: string;
  bodyHtml: string;
  status: CommentStatus;
  previousStatus: CommentStatus | null;
  createdAt: Date;
  line: number;
}

type ImpThreads = {
  ext_id: string;
  ident: string | null;
  key: string;
  url: string | null;
  title: string | null;
  closed: boolean;
  created_at: Date | null;
  line: number;
  thread_id: string | null;
}

type ImpComments = {
  ext_id: string;
  thread_ext: string;
  parent_ext: string | null;
  author_name: string | null;
  email: string | null;
  email_key: string | null;
  website: string | null;
  badge: string | null;
  body_src: string;
  body_html: string;
  status: CommentStatus;
  previous_status: CommentStatus | null;
  created_at: Date;
  line: number;
  comment_id: string;
  thread_id: string | null;
  commenter_id: string | null;
  existing: boolean;
  inserted: boolean;
  true_parent_id: string | null;
}

export type StagingTables = {
  imp_threads: ImpThreads;
  imp_comments: ImpComments;
};
export type StagingDb = Kysely<Database & StagingTables>;

export function staging(trx: Tx): StagingDb {
  return trx.withTables<StagingTables>() as unknown as StagingDb;
}

/** A commenter's external id: a hash of the address, so the table of references holds no email. */
export function emailKey(email: string): string {
  return crypto.createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export async function createStagingTables(trx: Tx): Promise<void> {
  await sql`create temp table imp_threads (
    ext_id text primary key, ident text, key text not null, url text, title text,
    closed boolean not null, created_at timestamptz, line integer, thread_id text
  ) on commit drop`.execute(trx);
  await sql`create temp table imp_comments (
    ext_id text primary key, thread_ext text not null, parent_ext text,
    author_name text, email text, email_key text, website text, badge text,
    body_src text not null, body_html text not null, status text not null, previous_status text,
    created_at timestamptz(3) not null, line integer, comment_id text not null,
    thread_id text, commenter_id text, existing boolean not null default false,
    inserted boolean not null default false, true_parent_id text
  ) on commit drop`.execute(trx);
}

/** Indexes for the linking queries, built once the rows are in (faster than maintaining them). */
export async function indexStagingTables(trx: Tx): Promise<void> {
  await sql`create index on imp_comments (thread_ext)`.execute(trx);
  await sql`create index on imp_comments (true_parent_id) where inserted`.execute(trx);
  await sql`create index on imp_comments (comment_id)`.execute(trx);
  await sql`create index on imp_comments (email_key) where email_key is not null`.execute(trx);
  await sql`analyze imp_comments`.execute(trx);
  await sql`analyze imp_threads`.execute(trx);
}

export async function insertThreads(trx: Tx, rows: ThreadRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await staging(trx)
    .insertInto('imp_threads')
    .values(
      rows.map((r) => ({
        ext_id: r.extId,
        ident: r.ident,
        key: r.key,
        url: r.url,
        title: r.title,
        closed: r.closed,
        created_at: r.createdAt,
        line: r.line,
        thread_id: null,
      })),
    )
    .onConflict((oc) => oc.column('ext_id').doNothing())
    .execute();
}

/** Stages comments; returns the ones whose id was already staged earlier in the file. */
export async function insertComments(trx: Tx, rows: Array<CommentRecord & { commentId: string }>): Promise<CommentRecord[]> {
  if (rows.length === 0) return [];
  const inserted = await staging(trx)
    .insertInto('imp_comments')
    .values(
      rows.map((r) => ({
        ext_id: r.extId,
        thread_ext: r.threadExt,
        parent_ext: r.parentExt,
        author_name: r.authorName,
        email: r.email,
        email_key: r.email ? emailKey(r.email) : null,
        website: r.website,
        badge: r.badge,
        body_src: r.bodySrc,
        body_html: r.bodyHtml,
        status: r.status,
        previous_status: r.previousStatus,
        created_at: r.createdAt,
        line: r.line,
        comment_id: r.commentId,
        thread_id: null,
        commenter_id: null,
        existing: false,
        inserted: false,
        true_parent_id: null,
      })),
    )
    .onConflict((oc) => oc.column('ext_id').doNothing())
    .returning('ext_id')
    .execute();
  const kept = new Set(inserted.map((r) => r.ext_id));
  // Two records with one id in the same batch: the first stays, the rest are duplicates.
  const seen = new Set<string>();
  return rows.filter((r) => {
    const dup = !kept.has(r.extId) || seen.has(r.extId);
    seen.add(r.extId);
    return dup;
  });
}
