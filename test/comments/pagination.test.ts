import { sql } from 'kysely';
import { featuredQuery, firstRepliesSql, ownPendingTopLevelQuery, repliesQuery, topLevelQuery } from '../../server/comments/comment-list.repo';
import type { Sort } from '../../server/comments/comment.schema';
import { planOf } from '../helpers/db';
import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { call, ids } from '../helpers/reader';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

let counter = 0;
async function postMany(threadId: string, n: number, prefix: string) {
  const out: Array<{ id: string; seq: number; createdAt: string }> = [];
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => call(parley, 'post', `/threads/${threadId}/comments`, { body: `${prefix} ${i} (${++counter})` })),
  );
  for (const r of results) {
    expect(r.status).toBe(201);
    out.push(r.body.comment);
  }
  return out;
}

async function walk(threadId: string, sort: Sort, limit: number, during: () => Promise<unknown>) {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const q = `/threads/${threadId}/comments?sort=${sort}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    // New comments arrive while this very page is being read.
    const [res] = await Promise.all([call(parley, 'get', q), during()]);
    expect(res.status).toBe(200);
    seen.push(...ids(res.body.items));
    cursor = res.body.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 100);
  return seen;
}

describe('keyset pagination while comments arrive', () => {
  it.each<Sort>(['oldest', 'newest', 'top'])('walks every comment exactly once (%s)', async (sort) => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const initial = await postMany(thread.id, 24, 'before');
    // Spread reactions so `top` has several groups to page across.
    for (const [i, c] of initial.entries()) {
      await db().updateTable('comments').set({ reaction_count: i % 4 }).where('id', '=', c.id).execute();
    }
    const seen = await walk(thread.id, sort, 5, () => postMany(thread.id, 3, `during ${sort}`));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids(initial)));

    // No gaps: everything between the first and the last comment seen, in the sort's order, was seen.
    // (For `top`, a new comment with no likes may land behind the reader's position: that is fine.)
    if (sort === 'top') return;
    const all = await call(parley, 'get', `/threads/${thread.id}/comments?sort=${sort}&limit=100`);
    const order = ids(all.body.items);
    const from = order.indexOf(seen[0]!);
    const to = order.indexOf(seen[seen.length - 1]!);
    expect(seen).toEqual(order.slice(from, to + 1));
    if (sort === 'oldest') expect(seen).toEqual(order.slice(0, seen.length));
  });

  it('stamps comments of a thread in commit order, even when posted at the same moment', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const posted = await postMany(thread.id, 20, 'simultaneous');
    const bySeq = [...posted].sort((a, b) => a.seq - b.seq);
    const times = bySeq.map((c) => Date.parse(c.createdAt));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
  });
});

describe('a 10,000-comment thread', () => {
  const explain = (compiled: { sql: string; parameters: readonly unknown[] }) => planOf(db(), compiled);

  const scansOfComments = (plan: any[]) => plan.filter((n) => n['Relation Name'] === 'comments');

  it('reads its first page through indexes, never a sequential scan', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const viewer = 'viewer0000000000';
    await db().insertInto('commenters').values({ id: viewer, token_hash: null, name: 'Viewer', email: null, website: null }).execute();
    // One statement: 9,000 top-level comments (every 50th pending, by the viewer), then 1,000 replies.
    await sql`
      insert into comments (id, site_id, thread_id, parent_id, depth, commenter_id, body_src, body_html, status, reaction_count, created_at)
      select lpad(to_hex(g), 16, '0'), ${site.id}, ${thread.id},
             case when g > 9000 then lpad(to_hex((g - 9000) % 100 + 1), 16, '0') end,
             case when g > 9000 then 1 else 0 end,
             case when g % 50 = 0 and g <= 9000 then ${viewer} end,
             'comment ' || g, '<p>comment ' || g || '</p>',
             case when g % 50 = 0 and g <= 9000 then 'pending' else 'approved' end,
             g % 17, now() - (10001 - g) * interval '1 second'
      from generate_series(1, 10000) as g`.execute(db());
    await sql`update comments p set reply_count = r.n
              from (select parent_id, count(*) as n from comments where parent_id is not null group by parent_id) r
              where p.id = r.parent_id`.execute(db());
    await sql`update threads set comment_count = (select count(*) from comments where status = 'approved') where id = ${thread.id}`.execute(db());
    await sql`analyze comments`.execute(db());
    expect(Number((await sql<{ n: number }>`select count(*) as n from comments`.execute(db())).rows[0]!.n)).toBe(10_000);

    for (const sort of ['oldest', 'newest', 'top'] as const) {
      const first = await explain(topLevelQuery(db(), thread.id, sort, 21).compile());
      const cursor = { sort, createdAt: new Date(Date.now() - 5000_000).toISOString(), id: '0000000000001000', reactions: 5 };
      const second = await explain(topLevelQuery(db(), thread.id, sort, 21, cursor).compile());
      for (const plan of [first, second]) {
        const scans = scansOfComments(plan);
        expect(scans.length).toBeGreaterThan(0);
        expect(scans.map((n) => n['Node Type'])).not.toContain('Seq Scan');
        expect(scans.map((n) => n['Index Name'])).toContain(sort === 'top' ? 'comments_thread_top_reactions' : 'comments_thread_top_time');
      }
      const own = scansOfComments(await explain(ownPendingTopLevelQuery(db(), thread.id, viewer, sort, 21).compile()));
      expect(own.map((n) => n['Index Name'])).toEqual(['comments_own_pending']);
    }

    // The first replies of a page: one index probe per parent, the viewer's pending ones too.
    const parents = Array.from({ length: 20 }, (_, i) => (i + 1).toString(16).padStart(16, '0'));
    const replies = scansOfComments(await explain(firstRepliesSql(parents, 4, viewer).compile(db())));
    expect(replies.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(new Set(replies.map((n) => n['Index Name']))).toEqual(new Set(['comments_parent_time', 'comments_own_pending']));
    // And the next pages of one comment's replies (a bitmap scan names its index on the child node).
    const more = await explain(repliesQuery(db(), parents[0]!, 21, { sort: 'oldest', createdAt: new Date(0).toISOString(), id: '0' }).compile());
    expect(more.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(more.filter((n) => n['Index Name']).map((n) => n['Index Name'])).toEqual(['comments_parent_time']);

    // And through the API: the page is right and quick.
    const started = Date.now();
    const page = await call(parley, 'get', `/threads/${thread.id}/comments?limit=20`);
    const elapsed = Date.now() - started;
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(20);
    expect(page.body.items[0].id).toBe('0000000000000001');
    expect(page.body.items[0].replies).toMatchObject({ total: 10, items: expect.any(Array) });
    expect(page.body.items[0].replies.items).toHaveLength(3);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expect(elapsed).toBeLessThan(2000);

    // Its picks (one comment in 97): through their own partial index, first page and next.
    await sql`update comments set featured = true where status = 'approved' and ('x' || id)::bit(64)::bigint % 97 = 0`.execute(db());
    await sql`analyze comments`.execute(db());
    for (const sort of ['oldest', 'newest'] as const) {
      const cursor = { sort, createdAt: new Date(Date.now() - 5000_000).toISOString(), id: '0000000000001000' };
      for (const plan of [await explain(featuredQuery(db(), thread.id, sort, 21).compile()), await explain(featuredQuery(db(), thread.id, sort, 21, cursor).compile())]) {
        const scans = scansOfComments(plan);
        expect(scans.map((n) => n['Node Type'])).not.toContain('Seq Scan');
        expect(scans.map((n) => n['Index Name'])).toContain('comments_featured');
      }
    }
    const picks = await call(parley, 'get', `/threads/${thread.id}/comments?filter=featured&limit=20`);
    expect(picks.body.items).toHaveLength(20);
    expect(picks.body.items.every((c: { featured: boolean }) => c.featured)).toBe(true);
  });
});
