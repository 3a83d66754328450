import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;
const list = (threadId: string, query: Record<string, string | number> = {}) =>
  parley.http().get(`/api/v1/threads/${threadId}/comments`).query(query);

async function seedThread(n: number) {
  const site = await buildSite(db());
  const thread = await buildThread(db(), site.id);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await postComment(parley, thread.id, { body: `comment ${i}` });
    ids.push(res.body.comment.id);
  }
  return { thread, ids };
}

describe('GET /threads/:id/comments', () => {
  it('walks every comment exactly once, oldest first, while new ones arrive', async () => {
    const { thread, ids } = await seedThread(12);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await list(thread.id, { limit: 5, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor ?? undefined;
      if (pages === 0) {
        const extra = await postComment(parley, thread.id, { body: 'arrived while paging' });
        ids.push(extra.body.comment.id);
      }
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('sorts newest first and by reactions, and returns the thread seq', async () => {
    const { thread, ids } = await seedThread(4);
    await db().updateTable('comments').set({ reaction_count: 5 }).where('id', '=', ids[2]!).execute();
    const newest = await list(thread.id, { sort: 'newest' });
    expect(newest.body.items.map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    expect(newest.body.seq).toBe(4);
    const top = await list(thread.id, { sort: 'top', limit: 2 });
    expect(top.body.items[0].id).toBe(ids[2]);
    const rest = await list(thread.id, { sort: 'top', limit: 10, cursor: top.body.nextCursor });
    const all = [...top.body.items, ...rest.body.items].map((c: { id: string }) => c.id);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(all).toHaveLength(4);
  });

  it('shows each comment with its first three replies, a total and a cursor for more', async () => {
    const { thread, ids } = await seedThread(1);
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) {
      replies.push((await postComment(parley, thread.id, { body: `reply ${i}`, parentId: ids[0] })).body.comment.id);
    }
    const res = await list(thread.id);
    expect(res.body.items).toHaveLength(1);
    const first = res.body.items[0];
    expect(first.replies.total).toBe(5);
    expect(first.replies.items.map((r: { id: string }) => r.id)).toEqual(replies.slice(0, 3));
    expect(typeof first.replies.nextCursor).toBe('string');
  });

  it('refuses a cursor from another sort or a forged one', async () => {
    const { thread } = await seedThread(3);
    const page = await list(thread.id, { limit: 1 });
    const wrongSort = await list(thread.id, { sort: 'top', cursor: page.body.nextCursor });
    expect(wrongSort.status).toBe(400);
    expect(wrongSort.body.error.code).toBe('invalid_cursor');
    expect((await list(thread.id, { cursor: 'garbage' })).status).toBe(400);
    expect((await list(thread.id, { limit: 1000 })).status).toBe(400);
    expect((await list(thread.id, { sort: 'random' })).status).toBe(400);
  });

  it('marks the caller’s own comments as mine, and nobody else’s', async () => {
    const { thread } = await seedThread(1);
    const own = await postComment(parley, thread.id, { body: 'mine' });
    const res = await parley.http().get(`/api/v1/threads/${thread.id}/comments`).set('Authorization', `Bearer ${own.body.commenterToken}`);
    const flags = res.body.items.map((c: { mine?: boolean }) => c.mine ?? false);
    expect(flags).toEqual([false, true]);
  });
});
