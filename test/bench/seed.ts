import { sql } from 'kysely';
import type { Db } from '../../server/db';
import { newId } from '../../server/ids';

/**
 * A thread with `n` approved comments: 80% top-level, 20% replies to the first hundred. Written
 * with set-based SQL, so a 100,000-comment thread takes seconds, not a hundred thousand requests.
 */
export async function seedThread(db: Db, siteId: string, n: number): Promise<string> {
  const threadId = newId();
  await db.insertInto('threads').values({ id: threadId, site_id: siteId, key: `bench-${n}-${threadId}` }).execute();
  const top = Math.ceil(n * 0.8);
  await sql`
    insert into comments (id, site_id, thread_id, depth, body_src, body_html, status, created_at, author_name)
    select substr(md5(${threadId} || g::text), 1, 16), ${siteId}, ${threadId}, 0,
           'Comment ' || g, '<p>Comment ' || g || ' on how to resolve this stand-off.</p>', 'approved',
           timestamp '2024-01-01' + g * interval '1 second', 'Reader ' || (g % 500)
    from generate_series(1, ${top}) g`.execute(db);
  const replies = n - top;
  if (replies > 0) {
    await sql`
      insert into comments (id, site_id, thread_id, parent_id, root_id, depth, body_src, body_html, status, created_at, author_name)
      select substr(md5(${threadId} || 'r' || g::text), 1, 16), ${siteId}, ${threadId},
             substr(md5(${threadId} || ((g % 100) + 1)::text), 1, 16), substr(md5(${threadId} || ((g % 100) + 1)::text), 1, 16), 1,
             'Reply ' || g, '<p>Reply ' || g || '</p>', 'approved',
             timestamp '2024-02-01' + g * interval '1 second', 'Reader ' || (g % 500)
      from generate_series(1, ${replies}) g`.execute(db);
    await sql`
      update comments p set reply_count = r.n
      from (select parent_id, count(*)::int n from comments where thread_id = ${threadId} and parent_id is not null group by parent_id) r
      where p.id = r.parent_id`.execute(db);
  }
  await sql`update threads set comment_count = ${n}, seq = 1 where id = ${threadId}`.execute(db);
  await sql`analyze comments`.execute(db);
  return threadId;
}

/**
 * The readers a site in service has: identities from earlier posts. A database that has just been
 * created has no readers and few comments, and PostgreSQL plans what it runs for a post on those
 * sizes: the foreign-key check of each new comment's author (a lookup in commenters) and the
 * duplicate check (in comments) become whole-table scans, kept in each connection's plan cache
 * until autovacuum next analyzes the tables (after a minute or so of posting). On a bench run those
 * scans grew with every post and doubled or tripled the database's time per post; a live site pays
 * that only in its first minute.
 */
export async function seedReaders(db: Db, n: number): Promise<void> {
  await sql`
    insert into commenters (id, token_hash, name, created_at)
    select substr(md5('reader ' || g::text), 1, 16), encode(sha256(('token ' || g::text)::bytea), 'hex'), 'Reader ' || g,
           timestamp '2024-01-01' + g * interval '1 minute'
    from generate_series(1, ${n}) g`.execute(db);
}

/**
 * Comment texts as different readers write them: sentences of words drawn from the seed thread's
 * comments. Near-identical texts from many new readers are what a spam campaign looks like, and the
 * abuse check sends them to spam (a queue, not the genuine path this measures); every text here
 * differs in its words, not only in a number.
 */
export function readerTexts(): () => string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const seed = require('../../server/seed/naked-security.json') as { comments: Array<{ body: string }> };
  const words = [...new Set(seed.comments.flatMap((c) => c.body.toLowerCase().match(/[a-z']{3,12}/g) ?? []))];
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  let n = 0;
  return () => {
    const length = 12 + Math.floor(next() * 14);
    const picked = Array.from({ length }, () => words[Math.floor(next() * words.length)]!);
    return `${picked.join(' ')} (${++n}).`;
  };
}
