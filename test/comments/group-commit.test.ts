import request from 'supertest';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { startTestParley, useParley } from '../helpers/parley';
import { call } from '../helpers/reader';
import { itOnPostgres } from '../helpers/db';
import { renderBody } from '../../server/comments/comment.render';
import { textHash } from '../../server/comments/comment.rules';

/**
 * Posts to one thread that arrive together are committed together. Each is still answered as if it
 * were alone: its own comment and seq, its own error, and nothing lost or doubled.
 */
const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

describe('posts arriving together on one thread', () => {
  it('each gets its own comment, seq and answer; a duplicate among them is refused alone', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const first = await postComment(parley, thread.id, { body: 'Opening remark.' });
    const token = first.body.commenterToken as string;

    const texts = Array.from({ length: 24 }, (_, i) => `Crowd comment ${i}`);
    const answers = await Promise.all([
      ...texts.map((body) => postComment(parley, thread.id, { body })),
      // The same reader sending the same words twice at once: exactly one gets in.
      postComment(parley, thread.id, { body: 'Said twice.' }, token),
      postComment(parley, thread.id, { body: 'Said twice.' }, token),
    ]);
    const statuses = answers.map((r) => r.status);
    expect(statuses.slice(0, 24)).toEqual(Array(24).fill(201));
    expect(statuses.slice(24).sort()).toEqual([201, 409]);
    expect(answers.find((r) => r.status === 409)!.body.error.code).toBe('duplicate_comment');

    const created = answers.filter((r) => r.status === 201).map((r) => r.body.comment);
    const seqs = created.map((c: { seq: number }) => c.seq).sort((a: number, b: number) => a - b);
    // Seqs 2..26, each once: the opening remark had 1.
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));

    const row = await db().selectFrom('threads').select(['seq', 'comment_count']).where('id', '=', thread.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ seq: 26, comment_count: 26 });
    const events = await db().selectFrom('thread_events').select('seq').where('thread_id', '=', thread.id).orderBy('seq').execute();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));

    // Times follow seqs, so a reader paging oldest-first sees them in the order they were logged.
    const page = await request(parley.url).get(`/api/v1/threads/${thread.id}/comments`).query({ limit: 100 });
    expect(page.body.items).toHaveLength(26);
    const bySeq = [...page.body.items].sort((a: { seq: number }, b: { seq: number }) => a.seq - b.seq);
    expect(page.body.items.map((c: { id: string }) => c.id)).toEqual(bySeq.map((c: { id: string }) => c.id));
  });

  it('stores the answer of each post with an Idempotency-Key, so every retry gets its own', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const path = `/threads/${thread.id}/comments`;
    const posts = Array.from({ length: 12 }, (_, i) => ({ key: `together-${i}-${thread.id}`, body: { body: `Keyed comment ${i}` } }));
    const first = await Promise.all(posts.map((p) => call(parley, 'post', path, p.body, { key: p.key })));
    expect(first.map((r) => r.status)).toEqual(Array(12).fill(201));
    // Posted at once, they share transactions and their answers are stored together: each key must
    // still hold its own post's answer.
    const seqs = first.map((r) => r.body.comment.seq as number);
    expect(new Set(seqs).size).toBe(12);

    const retries = await Promise.all(posts.map((p) => call(parley, 'post', path, p.body, { key: p.key })));
    for (const [i, retry] of retries.entries()) {
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first[i]!.body);
    }
    const keys = await db().selectFrom('idempotency_keys').select(['state', 'owner']).execute();
    expect(keys).toHaveLength(12);
    expect(keys.every((k) => k.state === 'done' && k.owner === null)).toBe(true);
    const count = await db().selectFrom('comments').select((eb) => eb.fn.countAll<string>().as('n')).where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(12);
  });

  it('stores text exactly as written, whatever quotes, backslashes and dollar signs it holds', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    // On PostgreSQL a batch travels as one message with its values written out: nothing may leak.
    const bodies = [`It's $1, not $2 \\ or $q$ or $$`, `"Quoted" \\'; drop table comments; --`, `E'\\x41' and \\n`];
    const answers = await Promise.all(bodies.map((body) => postComment(parley, thread.id, { body })));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
    const stored = await db().selectFrom('comments').select(['id', 'body_src']).where('thread_id', '=', thread.id).execute();
    const byId = new Map(stored.map((c) => [c.id, c.body_src]));
    expect(answers.map((r) => byId.get(r.body.comment.id))).toEqual(bodies);
  });

  it('posts committed together stay when the thread closes; a post after that is refused', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => postComment(parley, thread.id, { body: `Before closing ${i}` })));
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(201));
    await db().updateTable('threads').set({ state: 'closed' }).where('id', '=', thread.id).execute();
    const late = await postComment(parley, thread.id, { body: 'Too late.' });
    expect(late.status).toBe(403);
    const count = await db().selectFrom('comments').select((eb) => eb.fn.countAll<string>().as('n')).where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(6);
  });
});

describe('a batch that meets a duplicate already in the thread', () => {
  // A second connection holds the thread's lock while posts wait for it: PostgreSQL only.
  itOnPostgres('refuses that post alone; the others are written in the next batch, with consecutive seqs', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const reader = await postComment(parley, thread.id, { body: 'My first word.' });
    const token = reader.body.commenterToken as string;
    const { commenter_id: readerId } = await db().selectFrom('comments').select('commenter_id').where('id', '=', reader.body.comment.id).executeTakeFirstOrThrow();
    const holder = await parley.database.pool!.connect();
    let answers: Array<{ status: number; body: any }>;
    try {
      await holder.query('begin');
      await holder.query('select 1 from threads where id = $1 for update', [thread.id]);
      // Both posts pass their first checks and wait together for the thread's lock.
      const posting = Promise.all([
        postComment(parley, thread.id, { body: 'Said once, elsewhere too.' }, token),
        postComment(parley, thread.id, { body: 'A bystander speaks.' }),
      ]);
      await new Promise((r) => setTimeout(r, 300));
      // Meanwhile the same words by the same reader land in the thread (another instance, say).
      const html = renderBody('Said once, elsewhere too.');
      await holder.query(
        `insert into comments (id, site_id, thread_id, depth, commenter_id, body_src, body_html, text_hash, status, seq, created_at)
         select 'dup0000000000000', site_id, id, 0, $2, 'Said once, elsewhere too.', $3, $4, 'approved', seq + 1, now() from threads where id = $1`,
        [thread.id, readerId, html, textHash(html)],
      );
      await holder.query('update threads set seq = seq + 1 where id = $1', [thread.id]);
      await holder.query('commit');
      answers = await posting;
    } finally {
      await holder.query('rollback').catch(() => {});
      holder.release();
    }
    expect(answers.map((a) => a.status)).toEqual([409, 201]);
    expect(answers[0]!.body.error.code).toBe('duplicate_comment');
    const rows = await db().selectFrom('comments').select(['id', 'seq']).where('thread_id', '=', thread.id).orderBy('seq').execute();
    expect(rows.map((r) => r.id)).toEqual([reader.body.comment.id, 'dup0000000000000', answers[1]!.body.comment.id]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(answers[1]!.body.comment.seq).toBe(3);
    const events = await db().selectFrom('thread_events').select('seq').where('thread_id', '=', thread.id).orderBy('seq').execute();
    expect(events.map((e) => e.seq)).toEqual([1, 3]);
  });
});

describe('a batch whose idempotency claim was taken over meanwhile', () => {
  // A second connection holds the thread's lock while posts wait for it: PostgreSQL only.
  itOnPostgres('writes nothing and answers 409, so the retry that took the key over stays the only write', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const key = `taken-over-${thread.id}`;
    const holder = await parley.database.pool!.connect();
    try {
      // The thread's lock is held elsewhere: the post claims its key, then waits for the lock.
      await holder.query('begin');
      await holder.query('select 1 from threads where id = $1 for update', [thread.id]);
      const posting = call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Held at the lock.' }, { key }).then((r) => r);
      const claimed = async () => (await db().selectFrom('idempotency_keys').select('owner').executeTakeFirst())?.owner;
      for (let i = 0; i < 100 && !(await claimed()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await claimed()).toBeTruthy();
      // Meanwhile its claim passes to another request (as an abandoned one is taken over).
      await holder.query(`update idempotency_keys set owner = 'someone-else'`);
      await holder.query('commit');
      const answer = await posting;
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('idempotency_in_progress');
    } finally {
      await holder.query('rollback').catch(() => {});
      holder.release();
    }
    const comments = await db().selectFrom('comments').select('id').where('thread_id', '=', thread.id).execute();
    expect(comments).toHaveLength(0);
    const stored = await db().selectFrom('idempotency_keys').select(['state', 'owner']).execute();
    expect(stored).toEqual([{ state: 'running', owner: 'someone-else' }]);
  });
});

describe('two instances writing to one thread', () => {
  // Each instance batches the posts it receives; the thread's row lock orders the batches of both.
  itOnPostgres('posting in turns and at once: every post lands once, in one unbroken seq, answered as stored', async () => {
    const second = await startTestParley({ PARLEY_RATE_LIMITS: 'off' }, { keepData: true });
    try {
      const site = await buildSite(db());
      const thread = await buildThread(db(), site.id);
      const path = `/threads/${thread.id}/comments`;
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await call(i % 2 ? second : parley, 'post', path, { body: `In turns ${i}` }));
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 30 }, (_, i) => call(i % 2 ? second : parley, 'post', path, { body: `At once ${i}` }, { key: `both-${i}-${thread.id}` })),
        )),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(36).fill(201));

      const answered = new Map(answers.map((r) => [r.body.comment.id as string, r.body.comment as { seq: number; createdAt: string }]));
      const stored = await db().selectFrom('comments').select(['id', 'seq', 'created_at']).where('thread_id', '=', thread.id).orderBy('seq').execute();
      expect(stored.map((c) => c.seq)).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
      for (const c of stored) expect(answered.get(c.id)).toMatchObject({ seq: c.seq, createdAt: c.created_at.toISOString() });
      for (let i = 1; i < stored.length; i++) expect(stored[i]!.created_at.getTime()).toBeGreaterThan(stored[i - 1]!.created_at.getTime());
      // The replay log holds each comment once, under its own seq.
      const events = await db().selectFrom('thread_events').select(['seq', 'payload']).where('thread_id', '=', thread.id).orderBy('seq').execute();
      expect(events.map((e) => [e.seq, (e.payload as { comment: { id: string } }).comment.id])).toEqual(stored.map((c) => [c.seq, c.id]));
      const row = await db().selectFrom('threads').select(['seq', 'comment_count']).where('id', '=', thread.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ seq: 36, comment_count: 36 });
      // A retry on the other instance replays the answer the post got.
      const retry = await call(second, 'post', path, { body: 'At once 0' }, { key: `both-0-${thread.id}` });
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(answers[6]!.body);
    } finally {
      await second.close();
    }
  });
});
