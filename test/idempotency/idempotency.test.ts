import crypto from 'node:crypto';
import { sql } from 'kysely';
import { fingerprint } from '../../server/idempotency/idempotency.service';
import { buildSite, buildThread } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { call } from '../helpers/reader';

let parley: TestParley;
beforeAll(async () => {
  // Flood limits stay on: replays must not count as new writes.
  parley = await startTestParley();
});
afterAll(() => parley.close());
beforeEach(() => parley.reset());

const db = () => parley.database.db;
const count = async (table: 'comments' | 'commenters' | 'flags' | 'reactions') => (await db().selectFrom(table).selectAll().execute()).length;
const newKey = () => crypto.randomUUID();

async function setup(settings = {}) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  return { site, thread, path: `/threads/${thread.id}/comments` };
}

describe('Idempotency-Key on POST /threads/:id/comments', () => {
  it('replays the first answer — token included — and creates nothing more', async () => {
    const { path } = await setup();
    const key = newKey();
    const body = { body: 'Off with their heads.', name: 'Rich' };
    const first = await call(parley, 'post', path, body, { key });
    expect(first.status).toBe(201);
    const retry = await call(parley, 'post', path, { name: 'Rich', body: 'Off with their heads.' }, { key });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(retry.body.commenterToken).toBe(first.body.commenterToken);
    expect(await count('comments')).toBe(1);
    expect(await count('commenters')).toBe(1);

    // Stored under a hash of the key, the answer encrypted: the token is nowhere in the database.
    const rows = await db().selectFrom('idempotency_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).not.toBe(key);
    expect(rows[0]!.state).toBe('done');
    expect(JSON.stringify(rows[0])).not.toContain(first.body.commenterToken.slice(3));
    expect(Date.parse(String(rows[0]!.expires_at)) - Date.parse(String(rows[0]!.created_at))).toBe(86_400_000);
  });

  it('answers 422 for the same key with another body, and stores nothing', async () => {
    const { path } = await setup();
    const key = newKey();
    const first = await call(parley, 'post', path, { body: 'first' }, { key });
    const other = await call(parley, 'post', path, { body: 'something else' }, { key, token: undefined });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await count('comments')).toBe(1);
  });

  it('creates exactly one comment from 20 identical requests sent at once', async () => {
    const { path } = await setup();
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 20 }, () => call(parley, 'post', path, { body: 'double, triple click' }, { key })));
    const created = results.filter((r) => r.status === 201);
    const running = results.filter((r) => r.status === 409);
    expect(created.length + running.length).toBe(20);
    expect(new Set(created.map((r) => r.body.comment.id)).size).toBe(1);
    for (const r of running) {
      expect(r.body.error.code).toBe('idempotency_in_progress');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(await count('comments')).toBe(1);
    expect(await count('commenters')).toBe(1);
    // Once settled, every retry gets the one answer.
    const late = await call(parley, 'post', path, { body: 'double, triple click' }, { key });
    expect(late.body.comment.id).toBe(created[0]!.body.comment.id);
  });

  it('does the same for a reader with a token', async () => {
    const { path } = await setup();
    const token = (await call(parley, 'post', path, { body: 'hello' })).body.commenterToken;
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 20 }, () => call(parley, 'post', path, { body: 'once only' }, { key, token })));
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(await count('comments')).toBe(2);
  });

  it('answers 409 while the first request is still running, and takes over an abandoned one', async () => {
    const { path } = await setup();
    const token = (await call(parley, 'post', path, { body: 'hello' })).body.commenterToken;
    const commenter = await db().selectFrom('commenters').select('id').executeTakeFirstOrThrow();
    const key = newKey();
    const hashed = crypto.createHash('sha256').update(key).digest('hex');
    await db()
      .insertInto('idempotency_keys')
      .values({ scope: `c:${commenter.id}`, key: hashed, request_hash: fingerprint('POST', `/api/v1${path}`, { body: 'while running' }), state: 'running', owner: 'another-request', expires_at: sql`now() + interval '1 day'` })
      .execute();
    const busy = await call(parley, 'post', path, { body: 'while running' }, { key, token });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('idempotency_in_progress');
    expect(busy.headers['retry-after']).toBe('1');
    expect(await count('comments')).toBe(1);

    // A claim left by a crashed process is taken over once it is clearly abandoned.
    await db().updateTable('idempotency_keys').set({ created_at: sql`now() - interval '5 minutes'` }).execute();
    expect((await call(parley, 'post', path, { body: 'while running' }, { key, token })).status).toBe(201);
    expect(await count('comments')).toBe(2);
  });

  it('forgets a key whose request failed, and one that expired', async () => {
    const { path } = await setup({ maxBodyLength: 20 });
    const key = newKey();
    const failed = await call(parley, 'post', path, { body: 'far too long for this site' }, { key });
    expect(failed.status).toBe(400);
    const fixed = await call(parley, 'post', path, { body: 'short enough' }, { key });
    expect(fixed.status).toBe(201);

    await db().updateTable('idempotency_keys').set({ expires_at: sql`now() - interval '1 second'` }).execute();
    const reused = await call(parley, 'post', path, { body: 'a day later' }, { key });
    expect(reused.status).toBe(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('comments')).toBe(2);
  });

  it('keeps keys apart per reader', async () => {
    const { path } = await setup();
    const a = (await call(parley, 'post', path, { body: 'a' })).body.commenterToken;
    const b = (await call(parley, 'post', path, { body: 'b' })).body.commenterToken;
    const key = newKey();
    expect((await call(parley, 'post', path, { body: 'same words' }, { key, token: a })).status).toBe(201);
    const other = await call(parley, 'post', path, { body: 'same words' }, { key, token: b });
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses a malformed key', async () => {
    const { path } = await setup();
    const res = await call(parley, 'post', path, { body: 'x' }, { key: 'k'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_idempotency_key');
    expect(await count('comments')).toBe(0);
  });
});

describe('Idempotency-Key on the other reader writes', () => {
  it('replays edits, deletes, likes, reports and profile changes', async () => {
    const { path } = await setup();
    const author = await call(parley, 'post', path, { body: 'original' });
    const token = author.body.commenterToken;
    const id = author.body.comment.id;
    const reader = (await call(parley, 'post', path, { body: 'a reader' })).body.commenterToken;

    const editKey = newKey();
    const edit = await call(parley, 'patch', `/comments/${id}`, { body: 'edited' }, { token, key: editKey });
    const editAgain = await call(parley, 'patch', `/comments/${id}`, { body: 'edited' }, { token, key: editKey });
    expect(editAgain.body).toEqual(edit.body);
    expect(await db().selectFrom('comment_edits').selectAll().execute()).toHaveLength(1);

    const likeKey = newKey();
    const like = await call(parley, 'put', `/comments/${id}/reaction`, undefined, { token: reader, key: likeKey });
    await call(parley, 'delete', `/comments/${id}/reaction`, undefined, { token: reader });
    const likeAgain = await call(parley, 'put', `/comments/${id}/reaction`, undefined, { token: reader, key: likeKey });
    expect(likeAgain.headers['idempotent-replayed']).toBe('true');
    expect(likeAgain.body).toEqual(like.body);
    expect(await count('reactions')).toBe(0); // the replay did not like it again

    const flagKey = newKey();
    const flag = await call(parley, 'post', `/comments/${id}/flags`, { reason: 'spam' }, { token: reader, key: flagKey });
    const flagAgain = await call(parley, 'post', `/comments/${id}/flags`, { reason: 'spam' }, { token: reader, key: flagKey });
    expect(flagAgain.status).toBe(201); // not 409 already_flagged: it is the same request
    expect(flagAgain.body).toEqual(flag.body);
    expect(await count('flags')).toBe(1);

    const meKey = newKey();
    const me = await call(parley, 'patch', '/me', { name: 'Rich' }, { token, key: meKey });
    expect((await call(parley, 'patch', '/me', { name: 'Rich' }, { token, key: meKey })).body).toEqual(me.body);
    expect((await call(parley, 'patch', '/me', { name: 'Richard' }, { token, key: meKey })).status).toBe(422);

    const delKey = newKey();
    const del = await call(parley, 'delete', `/comments/${id}`, undefined, { token, key: delKey });
    const delAgain = await call(parley, 'delete', `/comments/${id}`, undefined, { token, key: delKey });
    expect(delAgain.body).toEqual(del.body);
    const events = await db().selectFrom('thread_events').select('event').where('event', '=', 'comment:removed').execute();
    expect(events).toHaveLength(1);
  });
});
