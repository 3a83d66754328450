import { newId } from '../../server/ids';
import { describeOnPostgres, openTestDatabase } from '../helpers/db';
import type { TestParley } from '../helpers/parley';
import { apiKey } from '../helpers/staff';
import { postComment } from '../helpers/factories';
import { connected, emitAck, type LiveParley, record, startLiveParley, waitFor } from '../realtime/helpers';
import { login, signFor, ssoScene, type SsoScene } from './helpers';

describeOnPostgres('two instances on one PostgreSQL', () => {
  let a: LiveParley;
  let b: LiveParley;
  let scene: SsoScene;
  beforeAll(async () => {
    // Each instance with its own pool, as two processes would be.
    a = await startLiveParley({ database: await openTestDatabase() });
    b = await startLiveParley({ database: await openTestDatabase({ keepData: true }) });
    scene = await ssoScene(a as unknown as TestParley);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await Promise.all([a.database.close(), b.database.close()]);
  });
  const on = (p: LiveParley) => p as unknown as TestParley;

  it('refuses on one a jti used on the other, even at the same moment', async () => {
    const jti = newId();
    expect((await login(on(a), { site: scene.siteId, token: await signFor(scene, { jti }) })).status).toBe(200);
    const replay = await login(on(b), { site: scene.siteId, token: await signFor(scene, { jti, sub: 'someone-else' }) });
    expect([replay.status, replay.body.error.details[0].reason]).toEqual([401, 'replayed']);

    for (let i = 0; i < 5; i++) {
      const shared = newId();
      const [x, y] = await Promise.all([
        login(on(a), { site: scene.siteId, token: await signFor(scene, { jti: shared, sub: `racer-a-${i}` }) }),
        login(on(b), { site: scene.siteId, token: await signFor(scene, { jti: shared, sub: `racer-b-${i}` }) }),
      ]);
      expect([x.status, y.status].sort()).toEqual([200, 401]);
    }
  });

  it('answers the same token retried on the other instance with the same commenter token', async () => {
    const token = await signFor(scene);
    const first = await login(on(a), { site: scene.siteId, token });
    const retry = await login(on(b), { site: scene.siteId, token });
    expect(retry.status).toBe(200);
    expect(retry.body.commenterToken).toBe(first.body.commenterToken);
    // And at the same moment: the loser waits for the winner's commit, then reads its answer.
    const twice = await signFor(scene, { sub: 'double-click' });
    const [x, y] = await Promise.all([login(on(a), { site: scene.siteId, token: twice }), login(on(b), { site: scene.siteId, token: twice })]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(x.body.commenterToken).toBe(y.body.commenterToken);
  });

  it('logging a reader out on one instance cuts their sockets on the other', async () => {
    const { body } = await login(on(a), { site: scene.siteId, token: await signFor(scene, { sub: 'roaming' }) });
    const socket = await connected(b.url, { token: body.commenterToken, origin: 'http://parley.test' });
    await emitAck(socket, 'thread:join', { threadId: scene.threadId });
    const cut = new Promise((resolve) => socket.once('disconnect', resolve));
    const key = await apiKey(on(a), scene.siteId);
    await key.call('post', '/sso/users/roaming/logout').expect(200);
    expect(await cut).toBe('io server disconnect');
  });

  it('takes an exchange code once across instances', async () => {
    const key = await apiKey(on(a), scene.siteId);
    const { body } = await key.call('post', '/sso/codes', { sub: 'code-reader' });
    const first = await login(on(b), { site: scene.siteId, code: body.code });
    expect(first.status).toBe(200);
    await key.call('post', '/sso/users/code-reader/logout').expect(200);
    const again = await login(on(a), { site: scene.siteId, code: body.code });
    expect([again.status, again.body.error.details[0].reason]).toEqual([401, 'code_used']);
  });

  it('a claim on one instance shows the account’s name live to a reader on the other', async () => {
    const anon = await postComment(on(a), scene.threadId, { body: 'Before signing in.', name: 'anon-7' });
    const reader = await connected(b.url, { origin: 'http://parley.test' });
    const seen = record(reader, ['comment:updated']);
    await emitAck(reader, 'thread:join', { threadId: scene.threadId });
    const signedIn = await login(on(b), { site: scene.siteId, token: await signFor(scene, { sub: 'claimer', name: 'Claire' }) }, anon.body.commenterToken);
    expect(signedIn.body.claimable).toEqual({ comments: 1 });
    const claimed = await on(a).http().post('/api/v1/sso/claim').set('Authorization', `Bearer ${signedIn.body.commenterToken}`).send({ commenterToken: anon.body.commenterToken });
    expect(claimed.body).toEqual({ claimed: { comments: 1 } });
    await waitFor(() => seen.some((e) => e.payload.comment.id === anon.body.comment.id), 10_000, 'the live update on the other instance');
    expect(seen.find((e) => e.payload.comment.id === anon.body.comment.id)!.payload.comment.author.name).toBe('Claire');
    // The proof is used up on both instances.
    const twice = await on(b).http().post('/api/v1/sso/claim').set('Authorization', `Bearer ${signedIn.body.commenterToken}`).send({ commenterToken: anon.body.commenterToken });
    expect([twice.status, twice.body.error.code]).toEqual([403, 'claim_refused']);
    reader.close();
  });

  it('a ban kept at an erasure on one instance holds when the account signs in on the other', async () => {
    const first = await login(on(a), { site: scene.siteId, token: await signFor(scene, { sub: 'banned-roamer', name: 'Rex' }) });
    const posted = await postComment(on(a), scene.threadId, { body: 'Rude.' }, first.body.commenterToken);
    await scene.admin.call('post', '/moderation/bans', { site: scene.siteId, commentId: posted.body.comment.id, durationHours: 24 }).expect(201);
    const key = await apiKey(on(a), scene.siteId);
    const erased = await key.call('delete', '/sso/users/banned-roamer');
    expect(erased.body.erasure).toMatchObject({ signInBansKept: 1 });
    const back = await login(on(b), { site: scene.siteId, token: await signFor(scene, { sub: 'banned-roamer', name: 'Rex' }) });
    const refused = await postComment(on(b), scene.threadId, { body: 'Back again.' }, back.body.commenterToken);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'banned']);
  });

  // Last: it spends the network's sign-in budget, which both instances share in PostgreSQL.
  it('counts sign-ins from one network on both instances against one budget', async () => {
    let attempts = 0;
    let limited: Awaited<ReturnType<typeof login>> | null = null;
    while (!limited && attempts <= 61) {
      const res = await login(on(attempts % 2 ? b : a), { site: scene.siteId, code: `sc_guess${attempts}` });
      attempts++;
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(401);
    }
    // Alone, each instance would have allowed 60: together they allowed at most 60.
    expect(limited?.headers['retry-after']).toBeDefined();
    expect(attempts).toBeLessThanOrEqual(61);
    for (const p of [a, b]) expect((await login(on(p), { site: scene.siteId, code: 'sc_more' })).status).toBe(429);
  });
});
