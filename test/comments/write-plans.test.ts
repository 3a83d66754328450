import type { CommentView } from '../../server/comments/comment.view';
import { createHash } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import { type ClaimingInsert, duplicateExists, planClaimingThread } from '../../server/comments/comment.repo';
import { completeManyStatement } from '../../server/idempotency/idempotency.repo';
import { planOf } from '../helpers/db';
import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';

/**
 * A viral article: its thread grows by thousands of comments faster than the database refreshes its
 * statistics, which still say the thread is small. The checks every post makes, some of them under
 * the thread's lock, must stay one index probe each — not a read of the whole thread, of every recent
 * comment from the network, or of every stored idempotency key, work that grows with every post.
 */
const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

const plan = (statement: RawBuilder<unknown>) => planOf(db(), statement.compile(db()));

/** How a plan reads a table: each scan's type and index (inserts and updates themselves aside). */
const reads = (steps: any[], table: string) =>
  steps.filter((n) => n['Relation Name'] === table && n['Node Type'] !== 'ModifyTable').map((n) => `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''}`);

const NETWORK = '2026-12-02:one-crowded-network';
const READER = 'reader0000000001';

async function viralThread() {
  // Statistics of tables that never held a row: reset() deletes rows, and the space of the last
  // test's 3,000 comments would stay (no vacuum runs here) and count in the statistics taken below.
  await sql`truncate comments, idempotency_keys cascade`.execute(db());
  const site = await buildSite(db());
  const thread = await buildThread(db(), site.id);
  await db().insertInto('commenters').values({ id: READER, token_hash: null, name: 'Reader', email: null, website: null }).execute();
  // Statistics taken while the thread was new, its first few comments imported (no network kept)...
  await sql`
    insert into comments (id, site_id, thread_id, depth, body_src, body_html, text_hash, status, created_at)
    select lpad(to_hex(100000 + g), 16, '0'), ${site.id}, ${thread.id}, 0, 'old ' || g, '<p>old ' || g || '</p>', 'old' || g, 'approved', now() - interval '1 day'
    from generate_series(1, 10) as g`.execute(db());
  await sql`analyze comments`.execute(db());
  await sql`analyze idempotency_keys`.execute(db());
  // ...then 3,000 comments from one network, a third of them by one reader, just now.
  await sql`
    insert into comments (id, site_id, thread_id, depth, commenter_id, body_src, body_html, text_hash, status, ip_hash, created_at)
    select lpad(to_hex(g), 16, '0'), ${site.id}, ${thread.id}, 0, case when g % 3 = 0 then ${READER} end,
           'comment ' || g, '<p>comment ' || g || '</p>', 'hash' || g, 'approved', ${NETWORK}, now() - g * interval '100 milliseconds'
    from generate_series(1, 3000) as g`.execute(db());
  await sql`
    insert into idempotency_keys (scope, key, request_hash, state, owner, created_at, expires_at)
    select 'n:' || ${NETWORK}, md5(g::text), md5(g::text), 'running', 'owner' || g, now(), now() + interval '1 day'
    from generate_series(1, 3000) as g`.execute(db());
  return { site, thread };
}

describe('the checks of a post on a thread that grew faster than its statistics', () => {
  it('look for a repeated comment with one probe of the thread-and-text index, by network or by reader', async () => {
    const { thread } = await viralThread();
    for (const author of [{ commenterId: null, ipHash: NETWORK }, { commenterId: READER, ipHash: NETWORK }]) {
      const exists = duplicateExists({ threadId: thread.id, textHash: 'hash-new', ...author })!;
      expect(reads(await plan(sql`select ${exists} as found`), 'comments')).toEqual(['Index Scan comments_thread_text']);
    }
    // The check still finds what it is for: the same words by the same network, moments ago.
    const repeat = duplicateExists({ threadId: thread.id, textHash: 'hash1', commenterId: null, ipHash: NETWORK })!;
    expect((await sql<{ found: boolean }>`select ${repeat} as found`.execute(db())).rows[0]!.found).toBe(true);
  });

  it('write a batch under the thread lock with one probe per post', async () => {
    const { site, thread } = await viralThread();
    const inserts: ClaimingInsert[] = [1, 2, 3].map((n) => ({
      values: {
        id: `new${n}`.padEnd(16, '0'), site_id: site.id, thread_id: thread.id, parent_id: null, reply_to_id: null, root_id: null,
        depth: 0, commenter_id: null, member_id: null, author_name: null, author_website: null, badge: null,
        body_src: `new ${n}`, body_html: `<p>new ${n}</p>`, text_hash: `hash-new-${n}`, status: 'approved',
        previous_status: null, status_reason: null, ip_hash: NETWORK, user_agent: null,
      },
      approvedDelta: 1,
      guard: { state: 'open', mode: null, duplicate: { textHash: `hash-new-${n}`, commenterId: null, ipHash: NETWORK } },
      event: { event: 'comment:created', audience: null, comment: {} as CommentView },
      writesMore: false,
      slow: { at: new Date(), seconds: 0, counts: true, auto: null },
    }));
    const { write } = planClaimingThread(thread.id, inserts, {
      state: 'open', mode: null, seq: 1, last_comment_at: null, now: new Date(), site_endpoints: 0, speed_window_at: null, speed_window_posts: 0, slow_auto_seconds: null,
    });
    expect(reads(await plan(write!), 'comments')).toEqual(['Index Scan comments_thread_text']);
  });

  it('store a batch of answers by probing their keys, not by reading every key kept', async () => {
    await viralThread();
    const answers = completeManyStatement(
      [7, 8, 9].map((g) => ({ scope: `n:${NETWORK}`, key: md5(g), owner: `owner${g}`, status: 201, body: { v: 1 } })),
    );
    expect(reads(await plan(answers), 'idempotency_keys')).toEqual(['Index Scan idempotency_keys_pk']);
  });
});

function md5(n: number): string {
  return createHash('md5').update(String(n)).digest('hex');
}
