import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { call, recordEvents } from '../helpers/reader';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

async function setup(settings = {}) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  const res = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'How would you resolve this stand-off?' });
  return { site, thread, comment: res.body.comment, author: res.body.commenterToken as string };
}

/** Readers who already have an identity. */
async function readers(threadId: string, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    tokens.push((await call(parley, 'post', `/threads/${threadId}/comments`, { body: `reader ${i} was here` })).body.commenterToken);
  }
  return tokens;
}

const stored = (id: string) => db().selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('reactions', () => {
  it('likes once per reader, shows who liked to that reader only, and takes a like back', async () => {
    const { thread, comment } = await setup();
    const [alice, bob] = await readers(thread.id, 2);
    const liked = await call(parley, 'put', `/comments/${comment.id}/reaction`, undefined, { token: alice });
    expect(liked.status).toBe(200);
    expect(liked.body.comment).toMatchObject({ id: comment.id, reactionCount: 1, reacted: true });
    const again = await call(parley, 'put', `/comments/${comment.id}/reaction`, undefined, { token: alice });
    expect(again.body.comment.reactionCount).toBe(1);

    const forAlice = await call(parley, 'get', `/threads/${thread.id}/comments`, undefined, { token: alice });
    const forBob = await call(parley, 'get', `/threads/${thread.id}/comments`, undefined, { token: bob });
    expect(forAlice.body.items.find((c: any) => c.id === comment.id)).toMatchObject({ reactionCount: 1, reacted: true });
    expect(forBob.body.items.find((c: any) => c.id === comment.id).reacted).toBeUndefined();

    const removed = await call(parley, 'delete', `/comments/${comment.id}/reaction`, undefined, { token: alice });
    expect(removed.body.comment.reactionCount).toBe(0);
    expect(removed.body.comment.reacted).toBeUndefined();
    expect((await call(parley, 'delete', `/comments/${comment.id}/reaction`, undefined, { token: alice })).body.comment.reactionCount).toBe(0);
    expect((await call(parley, 'delete', `/comments/${comment.id}/reaction`)).status).toBe(401);
  });

  it('keeps the count exact when many clicks arrive at once', async () => {
    const { thread, comment } = await setup();
    const tokens = await readers(thread.id, 12);
    // The same reader clicking 20 times at once: one like.
    const burst = await Promise.all(Array.from({ length: 20 }, () => call(parley, 'put', `/comments/${comment.id}/reaction`, undefined, { token: tokens[0] })));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect((await stored(comment.id)).reaction_count).toBe(1);
    // Twelve readers at once, then all of them changing their minds at once.
    await Promise.all(tokens.map((token) => call(parley, 'put', `/comments/${comment.id}/reaction`, undefined, { token })));
    expect((await stored(comment.id)).reaction_count).toBe(12);
    const rows = await db().selectFrom('reactions').selectAll().where('comment_id', '=', comment.id).execute();
    expect(rows).toHaveLength(12);
    await Promise.all([...tokens, ...tokens].map((token) => call(parley, 'delete', `/comments/${comment.id}/reaction`, undefined, { token })));
    expect((await stored(comment.id)).reaction_count).toBe(0);
  });

  it('gives a first-time reader an identity with their first like', async () => {
    const { comment } = await setup();
    const res = await call(parley, 'put', `/comments/${comment.id}/reaction`);
    expect(res.status).toBe(200);
    expect(res.body.commenterToken).toMatch(/^ct_/);
    const me = await call(parley, 'get', '/me', undefined, { token: res.body.commenterToken });
    expect(me.status).toBe(200);
  });

  it('caps likes without a token from one network, so a page cannot be pushed up by clearing the token', async () => {
    const { thread, comment } = await setup();
    const [regular] = await readers(thread.id, 1);
    const commenters = async () => (await db().selectFrom('commenters').select('id').execute()).length;
    const before = await commenters();
    const tries = [];
    for (let i = 0; i < 15; i++) tries.push(await call(parley, 'put', `/comments/${comment.id}/reaction`));
    expect(tries.map((r) => r.status)).toEqual([...Array(5).fill(200), ...Array(10).fill(403)]);
    expect(tries[5]!.body.error.code).toBe('network_like_limit');
    expect((await stored(comment.id)).reaction_count).toBe(5);
    expect(await commenters()).toBe(before + 5); // refused likes made no identity
    // A reader who sends their token is one like, whatever their network.
    const own = await call(parley, 'put', `/comments/${comment.id}/reaction`, undefined, { token: regular });
    expect(own.status).toBe(200);
    expect(own.body.comment.reactionCount).toBe(6);
    const top = await call(parley, 'get', `/threads/${thread.id}/comments?sort=top`);
    expect(top.body.items[0]).toMatchObject({ id: comment.id, reactionCount: 6 });
  });

  it('refuses comments that are not published', async () => {
    const { thread } = await setup({ moderation: 'pre' });
    const held = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'held for review' });
    const [stranger] = await readers(thread.id, 1);
    expect((await call(parley, 'put', `/comments/${held.body.comment.id}/reaction`, undefined, { token: stranger })).status).toBe(404);
    const own = await call(parley, 'put', `/comments/${held.body.comment.id}/reaction`, undefined, { token: held.body.commenterToken });
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('comment_not_published');
    expect(await db().selectFrom('reactions').selectAll().execute()).toHaveLength(0);
  });
});

describe('flags', () => {
  it('records one report per reader, counts it, and announces the one that reaches the threshold', async () => {
    const { thread, comment, author } = await setup({ flagThreshold: 2 });
    const [a, b, c] = await readers(thread.id, 3);
    const events = recordEvents(parley);
    const first = await call(parley, 'post', `/comments/${comment.id}/flags`, { reason: 'off_topic', note: 'Not about the article' }, { token: a });
    expect(first.status).toBe(201);
    expect(first.body.flag).toMatchObject({ commentId: comment.id, reason: 'off_topic', note: 'Not about the article' });
    const twice = await call(parley, 'post', `/comments/${comment.id}/flags`, { reason: 'spam' }, { token: a });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_flagged');
    await call(parley, 'post', `/comments/${comment.id}/flags`, { reason: 'abuse' }, { token: b });
    await call(parley, 'post', `/comments/${comment.id}/flags`, { reason: 'other' }, { token: c });
    expect((await stored(comment.id)).flag_count).toBe(3);
    expect(events.of('comment.flagged').map((e) => [e.flagCount, e.entered, e.threshold])).toEqual([
      [1, false, 2],
      [2, true, 2],
      [3, false, 2],
    ]);
    // Reports never hide a comment by themselves.
    expect((await stored(comment.id)).status).toBe('approved');
    const own = await call(parley, 'post', `/comments/${comment.id}/flags`, { reason: 'spam' }, { token: author });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('own_comment');
    const listed = await call(parley, 'get', `/threads/${thread.id}/comments`, undefined, { token: a });
    expect(listed.body.items.find((x: any) => x.id === comment.id).flagged).toBe(true);
    events.stop();
  });

  it('counts concurrent reports exactly', async () => {
    const { thread, comment } = await setup();
    const tokens = await readers(thread.id, 10);
    const results = await Promise.all(tokens.map((token) => call(parley, 'post', `/comments/${comment.id}/flags`, { reason: 'spam' }, { token })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect((await stored(comment.id)).flag_count).toBe(10);
  });

  it.each([
    ['an unknown reason', { reason: 'boring' }, 'reason'],
    ['no reason', {}, 'reason'],
    ['a note over 500 characters', { reason: 'other', note: 'n'.repeat(501) }, 'note'],
    ['a note that is not text', { reason: 'spam', note: 42 }, 'note'],
  ])('refuses %s with 400 and stores nothing', async (_name, payload, field) => {
    const { comment } = await setup();
    const res = await call(parley, 'post', `/comments/${comment.id}/flags`, payload);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.path)).toContain(field);
    expect(await db().selectFrom('flags').selectAll().execute()).toHaveLength(0);
    expect((await stored(comment.id)).flag_count).toBe(0);
  });
});

describe('GET /counts', () => {
  it('answers counts for the keys asked, 0 for unknown ones', async () => {
    const { site, thread } = await setup();
    await readers(thread.id, 2);
    const other = await buildThread(db(), site.id, { key: '__proto__' });
    await call(parley, 'post', `/threads/${other.id}/comments`, { body: 'odd key' });
    const res = await parley.http().get('/api/v1/counts').query(`site=${site.id}&key=${thread.key}&key=nope&key=__proto__`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ counts: { [thread.key]: 3, nope: 0, ['__proto__']: 1 } });
    expect(Object.keys(res.body.counts)).toContain('__proto__');
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    const single = await parley.http().get('/api/v1/counts').query({ site: site.id, key: thread.key });
    expect(single.body).toEqual({ counts: { [thread.key]: 3 } });
  });

  it('refuses a missing site, no keys, or too many', async () => {
    const { site } = await setup();
    expect((await parley.http().get('/api/v1/counts').query({ site: 'nowhere', key: 'a' })).status).toBe(404);
    expect((await parley.http().get('/api/v1/counts').query({ site: site.id })).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `key=k${i}`).join('&');
    const tooMany = await parley.http().get(`/api/v1/counts?site=${site.id}&${many}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('validation_failed');
  });
});

describe('GET and PATCH /me', () => {
  it('shows and changes the reader’s own profile, used for their next comments', async () => {
    const { thread } = await setup();
    const first = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'hello', name: 'Rich', email: 'rich@example.com' });
    const token = first.body.commenterToken;
    expect((await call(parley, 'get', '/me')).status).toBe(401);
    const me = await call(parley, 'get', '/me', undefined, { token });
    expect(me.body.commenter).toMatchObject({ name: 'Rich', email: 'rich@example.com', website: null });

    const changed = await call(parley, 'patch', '/me', { name: 'Richard', website: 'https://richard.example', email: '' }, { token });
    expect(changed.status).toBe(200);
    // Stored as the URL parser serialises it (the href), as third parties will read it.
    expect(changed.body.commenter).toMatchObject({ name: 'Richard', website: 'https://richard.example/', email: null });
    const next = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'signed anew' }, { token });
    expect(next.body.comment.author).toEqual({ name: 'Richard', website: 'https://richard.example/', badge: null });
    // Comments already posted keep the name they were signed with.
    const earlier = await call(parley, 'get', `/comments/${first.body.comment.id}`);
    expect(earlier.body.comment.author.name).toBe('Rich');
  });

  it.each([
    ['a javascript: website', { website: 'javascript:alert(1)' }, 'website'],
    ['an invalid email', { email: 'nope' }, 'email'],
    ['a name on two lines', { name: 'two\nlines' }, 'name'],
    ['a name over 80 characters', { name: 'n'.repeat(81) }, 'name'],
    ['nothing to change', {}, 'body'],
  ])('refuses %s and changes nothing', async (_name, payload, field) => {
    const { author } = await setup();
    const before = (await call(parley, 'get', '/me', undefined, { token: author })).body.commenter;
    const res = await call(parley, 'patch', '/me', payload, { token: author });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.path)).toContain(field);
    expect((await call(parley, 'get', '/me', undefined, { token: author })).body.commenter).toEqual(before);
  });
});
