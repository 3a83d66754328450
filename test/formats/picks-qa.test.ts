import { sql } from 'kysely';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });
const db = () => parley.database.db;

async function setUp(settings: Record<string, unknown> = {}) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
  const journalist = await member(parley, [[site.id, 'journalist']], 'journalist', { name: 'Ada Reporter' });
  return { site, thread, mod, journalist };
}

async function post(threadId: string, body: string, parentId?: string) {
  const res = await postComment(parley, threadId, { body, name: 'Reader', ...(parentId ? { parentId } : {}) });
  expect(res.status).toBe(201);
  return res.body.comment as { id: string; status: string };
}

const list = (threadId: string, query = '') => parley.http().get(`/api/v1/threads/${threadId}/comments${query}`);

describe('editors’ picks', () => {
  it('lists the featured comments with keyset pagination, counted on the thread, and drops one unfeatured or taken down', async () => {
    const { thread, mod } = await setUp();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await post(thread.id, `Comment number ${i} about the budget`)).id);
    const reply = await post(thread.id, 'A reply worth picking too', ids[1]);
    for (const id of [ids[0], ids[3], ids[5], reply.id]) {
      await mod.call('post', `/moderation/comments/${id}/decision`, { action: 'feature' }).expect(200);
    }
    const first = await list(thread.id, '?filter=featured&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0], ids[3]]);
    expect(first.body.items.every((c: { featured: boolean }) => c.featured)).toBe(true);
    const second = await list(thread.id, `?filter=featured&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((c: { id: string }) => c.id)).toEqual([ids[5], reply.id]);
    expect(second.body.nextCursor).toBeNull();
    const newest = await list(thread.id, '?filter=featured&sort=newest');
    expect(newest.body.items.map((c: { id: string }) => c.id)).toEqual([reply.id, ids[5], ids[3], ids[0]]);

    const threadView = async () => (await parley.http().get(`/api/v1/threads/${thread.id}`)).body.thread;
    expect(await threadView()).toMatchObject({ picks: 4, format: 'comments' });

    await mod.call('post', `/moderation/comments/${ids[3]}/decision`, { action: 'unfeature' }).expect(200);
    await mod.call('post', `/moderation/comments/${ids[5]}/decision`, { action: 'reject' }).expect(200);
    const after = await list(thread.id, '?filter=featured');
    expect(after.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0], reply.id]);
    expect(await threadView()).toMatchObject({ picks: 2 });

    // Every change to the picks told open widgets: a thread update carrying the new count.
    const events = await db().selectFrom('thread_events').select(['event', 'payload']).where('thread_id', '=', thread.id).where('event', '=', 'thread:updated').orderBy('seq').execute();
    const counts = events.map((e) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload).thread.picks);
    expect(counts).toEqual([1, 2, 3, 4, 3, 2]);
  });

  it('refuses an unknown filter with a 400 and staff actions from readers and journalists', async () => {
    const { thread, journalist } = await setUp();
    const c = await post(thread.id, 'Pick me, please');
    const bad = await list(thread.id, '?filter=best');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('filter');
    expect((await list(thread.id, '?filter=')).status).toBe(400);

    const anonymous = await parley.http().post(`/api/v1/moderation/comments/${c.id}/decision`).send({ action: 'feature' });
    expect(anonymous.status).toBe(401);
    const byJournalist = await journalist.call('post', `/moderation/comments/${c.id}/decision`, { action: 'feature' });
    expect(byJournalist.status).toBe(403);
    const format = await journalist.call('patch', `/threads/${thread.id}`, { format: 'qa' });
    expect(format.status).toBe(403);
    const noFormat = await parley.http().patch(`/api/v1/threads/${thread.id}`).send({ format: 'qa' });
    expect(noFormat.status).toBe(401);
    expect((await list(thread.id, '?filter=featured')).body.items).toEqual([]);
    const row = await db().selectFrom('threads').select(['format', 'featured_count']).where('id', '=', thread.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ format: 'comments', featured_count: 0 });
  });
});

describe('Q&A threads', () => {
  it('a staff reply answers a question: answered questions come first with their answer, and filter by answered', async () => {
    const { thread, mod, journalist } = await setUp();
    const bad = await mod.call('patch', `/threads/${thread.id}`, { format: 'interview' });
    expect(bad.status).toBe(400);
    const patched = await mod.call('patch', `/threads/${thread.id}`, { format: 'qa' });
    expect(patched.status).toBe(200);
    expect(patched.body.thread.format).toBe('qa');

    const q1 = await post(thread.id, 'When will the bridge reopen?');
    const q2 = await post(thread.id, 'Who pays for the repairs?');
    const q3 = await post(thread.id, 'Was the bridge inspected last year?');
    // A reader's reply is not an answer.
    await post(thread.id, 'I heard next spring.', q1.id);
    const first = await list(thread.id);
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual([q1.id, q2.id, q3.id]);
    expect(first.body.items[0].answerId).toBeUndefined();

    const answer = await journalist.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'The city says in June.', parentId: q3.id });
    expect(answer.status).toBe(201);
    // A second staff reply does not replace the first answer.
    await mod.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'Thanks, all.', parentId: q3.id }).expect(201);

    const page = await list(thread.id);
    expect(page.body.items.map((c: { id: string }) => c.id)).toEqual([q3.id, q1.id, q2.id]);
    expect(page.body.items[0]).toMatchObject({ answerId: answer.body.comment.id });
    expect(page.body.items[0].replies.items[0]).toMatchObject({ id: answer.body.comment.id, author: { badge: 'journalist' } });

    expect((await list(thread.id, '?filter=answered')).body.items.map((c: { id: string }) => c.id)).toEqual([q3.id]);
    expect((await list(thread.id, '?filter=unanswered')).body.items.map((c: { id: string }) => c.id)).toEqual([q1.id, q2.id]);

    // Pages across the two halves: answered first, then the rest, each once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(thread.id, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([q3.id, q1.id, q2.id]);

    // Live: the question's update carries its answer.
    const events = await db().selectFrom('thread_events').select(['event', 'payload']).where('thread_id', '=', thread.id).where('event', '=', 'comment:updated').execute();
    const payloads = events.map((e) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload));
    expect(payloads.some((p) => p.comment.id === q3.id && p.comment.answerId === answer.body.comment.id)).toBe(true);

    // An answer taken down no longer answers: the question is open again, and the next staff reply answers it.
    await mod.call('post', `/moderation/comments/${answer.body.comment.id}/decision`, { action: 'reject' }).expect(200);
    expect((await list(thread.id, '?filter=answered')).body.items).toEqual([]);
    expect((await list(thread.id)).body.items.map((c: { id: string }) => c.id)).toEqual([q1.id, q2.id, q3.id]);
    const again = await mod.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'Correction: the state pays.', parentId: q3.id });
    expect((await list(thread.id, '?filter=answered')).body.items).toMatchObject([{ id: q3.id, answerId: again.body.comment.id }]);
  });

  it('stores a staff answer with its question marked answered and its audit entry, or none of them', async () => {
    const { thread, journalist } = await setUp();
    await db().updateTable('threads').set({ format: 'qa' }).where('id', '=', thread.id).execute();
    const question = await post(thread.id, 'Who inspected the bridge?');
    // The database refuses to mark this question answered: the reply's transaction fails as a whole.
    await sql`create function refuse_answer() returns trigger language plpgsql as $$ begin raise exception 'answer refused'; end $$`.execute(db());
    await sql`create trigger refuse_answer before update of answer_id on comments for each row execute function refuse_answer()`.execute(db());
    try {
      const failed = await journalist.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'The state engineers did.', parentId: question.id });
      expect(failed.status).toBe(500);
    } finally {
      await sql`drop trigger refuse_answer on comments`.execute(db());
      await sql`drop function refuse_answer()`.execute(db());
    }
    const replies = await db().selectFrom('comments').select('id').where('parent_id', '=', question.id).execute();
    expect(replies).toEqual([]);
    const logged = await db().selectFrom('moderation_log').select('action').where('thread_id', '=', thread.id).execute();
    expect(logged).toEqual([]);

    const answer = await journalist.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'The state engineers did.', parentId: question.id });
    expect(answer.status).toBe(201);
    expect((await list(thread.id, '?filter=answered')).body.items).toMatchObject([{ id: question.id, answerId: answer.body.comment.id }]);
    expect(await db().selectFrom('moderation_log').select('action').where('thread_id', '=', thread.id).execute()).toEqual([{ action: 'comment.post' }]);
  });

  it('questions follow the thread’s moderation mode: held in pre-moderation, shown to their author', async () => {
    const { thread, mod } = await setUp({ moderation: 'pre' });
    await mod.call('patch', `/threads/${thread.id}`, { format: 'qa' }).expect(200);
    const held = await postComment(parley, thread.id, { body: 'Will there be a vote?', name: 'Reader' });
    expect(held.body.comment.status).toBe('pending');
    expect((await list(thread.id)).body.items).toEqual([]);
    const own = await parley.http().get(`/api/v1/threads/${thread.id}/comments?filter=unanswered`).set('Authorization', `Bearer ${held.body.commenterToken}`);
    expect(own.body.items.map((c: { id: string }) => c.id)).toEqual([held.body.comment.id]);
  });
});
