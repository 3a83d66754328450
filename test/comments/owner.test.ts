import { sql } from 'kysely';
import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { call, ids, recordEvents } from '../helpers/reader';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

async function setup(settings = {}) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  return { site, thread };
}

async function post(threadId: string, body: Record<string, unknown>, token?: string) {
  const res = await call(parley, 'post', `/threads/${threadId}/comments`, body, { token });
  expect(res.status).toBe(201);
  return { comment: res.body.comment, token: (res.body.commenterToken as string | undefined) ?? token! };
}

const threadOf = async (id: string) => (await call(parley, 'get', `/threads/${id}`)).body.thread;
const row = (id: string) => db().selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('PATCH /comments/:id', () => {
  it('lets the author edit within the window, marks editedAt, keeps the old text and announces it', async () => {
    const { thread } = await setup();
    const { comment, token } = await post(thread.id, { body: 'Insolvency springs to mind' });
    expect(comment.editableUntil).toBeDefined();
    // The author gets their own text back to edit; nobody else does.
    expect(comment.bodySrc).toBe('Insolvency springs to mind');
    expect((await call(parley, 'get', `/comments/${comment.id}`)).body.comment.bodySrc).toBeUndefined();
    const events = recordEvents(parley);
    const res = await call(parley, 'patch', `/comments/${comment.id}`, { body: 'Insolvency *springs* to mind.' }, { token });
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: comment.id, bodyHtml: '<p>Insolvency <em>springs</em> to mind.</p>', status: 'approved', mine: true, seq: 2 });
    expect(Date.parse(res.body.comment.editedAt)).toBeGreaterThan(0);
    const edits = await db().selectFrom('comment_edits').selectAll().where('comment_id', '=', comment.id).execute();
    expect(edits.map((e) => e.body_src)).toEqual(['Insolvency springs to mind']);
    expect(events.of('thread.event')).toEqual([
      expect.objectContaining({ event: 'comment:updated', seq: 2, audience: null, payload: expect.objectContaining({ seq: 2 }) }),
    ]);
    expect(events.of('comment.status')).toEqual([]);
    const logged = await db().selectFrom('thread_events').selectAll().where('thread_id', '=', thread.id).orderBy('seq').execute();
    expect(logged.map((e) => [e.seq, e.event])).toEqual([[1, 'comment:created'], [2, 'comment:updated']]);
    events.stop();
  });

  it('refuses anyone else: 401 without a token, 403 for another reader, 404 when they cannot see it', async () => {
    const { thread } = await setup();
    const { comment } = await post(thread.id, { body: 'mine' });
    const other = await post(thread.id, { body: 'someone else' });
    expect((await call(parley, 'patch', `/comments/${comment.id}`, { body: 'hijack' })).status).toBe(401);
    const forbidden = await call(parley, 'patch', `/comments/${comment.id}`, { body: 'hijack' }, { token: other.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('not_your_comment');
    const deleteForbidden = await call(parley, 'delete', `/comments/${comment.id}`, undefined, { token: other.token });
    expect(deleteForbidden.status).toBe(403);
    expect((await row(comment.id)).body_src).toBe('mine');
    expect((await row(comment.id)).status).toBe('approved');

    await db().updateTable('comments').set({ status: 'pending' }).where('id', '=', comment.id).execute();
    expect((await call(parley, 'patch', `/comments/${comment.id}`, { body: 'x' }, { token: other.token })).status).toBe(404);
    expect((await call(parley, 'delete', `/comments/${comment.id}`, undefined, { token: other.token })).status).toBe(404);
    expect((await call(parley, 'patch', '/comments/0000000000000000', { body: 'x' }, { token: other.token })).status).toBe(404);
  });

  it('closes the edit window after the site’s minutes', async () => {
    const { thread } = await setup({ editWindowMinutes: 5 });
    const { comment, token } = await post(thread.id, { body: 'first words' });
    expect(Date.parse(comment.editableUntil) - Date.parse(comment.createdAt)).toBe(5 * 60_000);
    await db().updateTable('comments').set({ created_at: sql`now() - interval '6 minutes'` }).where('id', '=', comment.id).execute();
    const res = await call(parley, 'patch', `/comments/${comment.id}`, { body: 'second thoughts' }, { token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('edit_window_closed');
    expect((await row(comment.id)).body_src).toBe('first words');
    // Deleting is allowed at any time.
    expect((await call(parley, 'delete', `/comments/${comment.id}`, undefined, { token })).status).toBe(200);
  });

  it('runs the moderation rules again: an edit that adds links goes back to the queue', async () => {
    const { thread } = await setup();
    const { comment, token } = await post(thread.id, { body: 'plain text' });
    const reader = await post(thread.id, { body: 'another reader' });
    const events = recordEvents(parley);
    const res = await call(parley, 'patch', `/comments/${comment.id}`, { body: 'https://a.example https://b.example https://c.example' }, { token });
    expect(res.status).toBe(200);
    expect(res.body.comment.status).toBe('pending');
    expect((await threadOf(thread.id)).commentCount).toBe(1);
    // Others no longer see it; its author does, marked as theirs.
    const publicList = await call(parley, 'get', `/threads/${thread.id}/comments`, undefined, { token: reader.token });
    expect(ids(publicList.body.items)).toEqual([reader.comment.id]);
    const ownList = await call(parley, 'get', `/threads/${thread.id}/comments`, undefined, { token });
    expect(ownList.body.items.map((c: any) => [c.id, c.status, c.mine ?? false])).toEqual([
      [comment.id, 'pending', true],
      [reader.comment.id, 'approved', false],
    ]);
    expect(events.of('comment.status')).toEqual([expect.objectContaining({ commentId: comment.id, from: 'approved', to: 'pending' })]);
    // The public is told it left, without its words; the author gets the full pending comment.
    const te = events.of('thread.event');
    expect(te.map((e) => [e.event, e.audience])).toEqual([['comment:removed', null], ['comment:updated', expect.any(String)]]);
    expect((te[0]!.payload as any).comment.bodyHtml).toBe('');
    expect(te[1]!.seq).toBe(te[0]!.seq + 1);
    events.stop();
  });

  it('refuses an empty or duplicate edit, or one on a closed thread, and changes nothing', async () => {
    const { thread } = await setup();
    const a = await post(thread.id, { body: 'first comment' });
    const b = await post(thread.id, { body: 'second comment' }, a.token);
    expect((await call(parley, 'patch', `/comments/${b.comment.id}`, { body: '  ' }, { token: a.token })).status).toBe(400);
    const dup = await call(parley, 'patch', `/comments/${b.comment.id}`, { body: 'First   COMMENT' }, { token: a.token });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('duplicate_comment');
    await db().updateTable('threads').set({ state: 'closed' }).where('id', '=', thread.id).execute();
    const closed = await call(parley, 'patch', `/comments/${b.comment.id}`, { body: 'late edit' }, { token: a.token });
    expect(closed.status).toBe(403);
    expect(closed.body.error.code).toBe('thread_closed');
    expect((await row(b.comment.id)).body_src).toBe('second comment');
    expect(await db().selectFrom('comment_edits').selectAll().execute()).toHaveLength(0);
  });
});

describe('DELETE /comments/:id', () => {
  it('leaves a tombstone that keeps its replies in place, wipes the words, fixes the counters', async () => {
    const { thread } = await setup();
    const top = await post(thread.id, { body: 'We need a corporate death penalty.', name: 'Rich' });
    await call(parley, 'patch', `/comments/${top.comment.id}`, { body: 'We need a corporate death penalty!' }, { token: top.token });
    const reply = await post(thread.id, { body: 'Insolvency springs to mind.', parentId: top.comment.id });
    const events = recordEvents(parley);

    const res = await call(parley, 'delete', `/comments/${top.comment.id}`, undefined, { token: top.token });
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: top.comment.id, status: 'deleted', bodyHtml: '', author: { name: null, website: null, badge: null }, replyCount: 1 });
    const stored = await row(top.comment.id);
    expect(stored).toMatchObject({ status: 'deleted', previous_status: 'approved', body_src: '', body_html: '', author_name: null });
    expect(await db().selectFrom('comment_edits').selectAll().execute()).toHaveLength(0);
    expect((await threadOf(thread.id)).commentCount).toBe(1);

    const list = await call(parley, 'get', `/threads/${thread.id}/comments`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: top.comment.id, status: 'deleted' });
    expect(ids(list.body.items[0].replies.items)).toEqual([reply.comment.id]);
    // It stays on readers' pages as a placeholder: an update in place, without its words or author.
    expect(events.of('thread.event')).toEqual([expect.objectContaining({ event: 'comment:updated', audience: null })]);
    expect(events.of('thread.event')[0]!.payload).toMatchObject({ comment: { id: top.comment.id, status: 'deleted', bodyHtml: '', author: { name: null } } });
    expect(events.of('comment.status')).toEqual([expect.objectContaining({ from: 'approved', to: 'deleted' })]);

    // Again: the same answer, nothing new.
    const again = await call(parley, 'delete', `/comments/${top.comment.id}`, undefined, { token: top.token });
    expect(again.status).toBe(200);
    expect(events.of('thread.event')).toHaveLength(1);

    // The last reply under a tombstone goes: the tombstone leaves the list too.
    expect((await call(parley, 'delete', `/comments/${reply.comment.id}`, undefined, { token: reply.token })).status).toBe(200);
    expect((await call(parley, 'get', `/threads/${thread.id}/comments`)).body.items).toHaveLength(0);
    expect((await row(top.comment.id)).reply_count).toBe(0);
    expect((await threadOf(thread.id)).commentCount).toBe(0);
    events.stop();
  });

  it('lets an author withdraw a pending comment, telling only them', async () => {
    const { thread } = await setup({ moderation: 'pre' });
    const { comment, token } = await post(thread.id, { body: 'awaiting approval' });
    const events = recordEvents(parley);
    expect((await call(parley, 'delete', `/comments/${comment.id}`, undefined, { token })).status).toBe(200);
    expect(events.of('thread.event')).toEqual([expect.objectContaining({ event: 'comment:removed', audience: expect.any(String) })]);
    expect(events.of('comment.status')).toEqual([expect.objectContaining({ from: 'pending', to: 'deleted' })]);
    events.stop();
  });
});

describe('GET /comments/:id and /comments/:id/replies', () => {
  it('returns a permalink with its ancestors, top-level first', async () => {
    const { thread } = await setup();
    const a = await post(thread.id, { body: 'top' });
    const b = await post(thread.id, { body: 'level 1', parentId: a.comment.id });
    const c = await post(thread.id, { body: 'level 2', parentId: b.comment.id });
    const res = await call(parley, 'get', `/comments/${c.comment.id}`);
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: c.comment.id, depth: 2, bodyHtml: '<p>level 2</p>' });
    expect(res.body.comment.mine).toBeUndefined();
    expect(res.body.parentIds).toEqual([a.comment.id, b.comment.id]);
    expect((await call(parley, 'get', `/comments/${a.comment.id}`)).body.parentIds).toEqual([]);
    expect((await call(parley, 'get', '/comments/0000000000000000')).status).toBe(404);
    expect((await call(parley, 'get', '/comments/not-an-id')).status).toBe(400);
  });

  it('shows a pending comment to its author only', async () => {
    const { thread } = await setup({ moderation: 'pre' });
    const { comment, token } = await post(thread.id, { body: 'held' });
    const own = await call(parley, 'get', `/comments/${comment.id}`, undefined, { token });
    expect(own.status).toBe(200);
    expect(own.body.comment).toMatchObject({ status: 'pending', mine: true });
    expect((await call(parley, 'get', `/comments/${comment.id}`)).status).toBe(404);
    const stranger = await post(thread.id, { body: 'another' });
    expect((await call(parley, 'get', `/comments/${comment.id}`, undefined, { token: stranger.token })).status).toBe(404);
    expect((await call(parley, 'get', `/comments/${comment.id}/replies`)).status).toBe(404);
  });

  it('pages through replies, oldest first, with the caller’s own pending reply among them', async () => {
    const { thread } = await setup();
    const top = await post(thread.id, { body: 'top' });
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) replies.push((await post(thread.id, { body: `reply ${i}`, parentId: top.comment.id })).comment.id);
    const me = await post(thread.id, { body: 'my own top' });
    const held = await post(thread.id, { body: 'https://a.example https://b.example https://c.example', parentId: top.comment.id }, me.token);
    expect(held.comment.status).toBe('pending');

    const walk = async (token?: string) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await call(parley, 'get', `/comments/${top.comment.id}/replies?limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, { token });
        expect(res.status).toBe(200);
        seen.push(...ids(res.body.items));
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      return seen;
    };
    expect(await walk()).toEqual(replies);
    expect(await walk(me.token)).toEqual([...replies, held.comment.id]);

    // The thread page shows the first three replies and a cursor that continues where they stop.
    const page = await call(parley, 'get', `/threads/${thread.id}/comments`);
    const first = page.body.items[0];
    expect(ids(first.replies.items)).toEqual(replies.slice(0, 3));
    const rest = await call(parley, 'get', `/comments/${top.comment.id}/replies?cursor=${first.replies.nextCursor}`);
    expect(ids(rest.body.items)).toEqual(replies.slice(3));
  });
});

describe('the thread page for a reader with pending comments', () => {
  it('shows their own pending comments in place, to them alone', async () => {
    const { thread } = await setup({ moderation: 'first_time' });
    await db().updateTable('sites').set({ settings: JSON.stringify({ moderation: 'post' }) }).execute();
    const a = await post(thread.id, { body: 'approved one' });
    await db().updateTable('sites').set({ settings: JSON.stringify({ moderation: 'pre' }) }).execute();
    const held = await post(thread.id, { body: 'held one' });
    const b = await post(thread.id, { body: 'held two' }, held.token);
    for (const sort of ['oldest', 'newest', 'top'] as const) {
      const mine = await call(parley, 'get', `/threads/${thread.id}/comments?sort=${sort}&limit=2`, undefined, { token: held.token });
      const next = await call(parley, 'get', `/threads/${thread.id}/comments?sort=${sort}&limit=2&cursor=${mine.body.nextCursor}`, undefined, { token: held.token });
      const all = [...mine.body.items, ...next.body.items];
      expect(new Set(ids(all))).toEqual(new Set([a.comment.id, held.comment.id, b.comment.id]));
      expect(all).toHaveLength(3);
      expect(all.filter((c: any) => c.mine).map((c: any) => c.status)).toEqual(['pending', 'pending']);
      const anonymous = await call(parley, 'get', `/threads/${thread.id}/comments?sort=${sort}`);
      expect(ids(anonymous.body.items)).toEqual([a.comment.id]);
      const other = await call(parley, 'get', `/threads/${thread.id}/comments?sort=${sort}`, undefined, { token: a.token });
      expect(ids(other.body.items)).toEqual([a.comment.id]);
    }
  });
});

describe('site moderation modes', () => {
  it('holds a newcomer’s first comment in first_time mode, and not once one was approved', async () => {
    const { thread } = await setup({ moderation: 'first_time' });
    const first = await post(thread.id, { body: 'my very first comment' });
    expect(first.comment.status).toBe('pending');
    const second = await post(thread.id, { body: 'still a newcomer' }, first.token);
    expect(second.comment.status).toBe('pending');
    // A moderator approves the first one (the moderation side does this through its own API).
    await db().updateTable('comments').set({ status: 'approved' }).where('id', '=', first.comment.id).execute();
    const third = await post(thread.id, { body: 'now a known reader' }, first.token);
    expect(third.comment.status).toBe('approved');
  });

  it('publishes at once in post mode and holds everything in pre mode, thread mode first', async () => {
    const { site, thread } = await setup({ moderation: 'post' });
    expect((await post(thread.id, { body: 'published' })).comment.status).toBe('approved');
    const held = await buildThread(db(), site.id, { mode: 'pre' });
    expect((await post(held.id, { body: 'held by the thread' })).comment.status).toBe('pending');
  });
});
