import crypto from 'node:crypto';
import { createClient } from 'redis';
import { buildSite, buildThread } from '../helpers/factories';
import { connected, emitAck, type LiveParley, type RawSocket, record, startLiveParley, THREAD_EVENTS, waitFor } from './helpers';

/**
 * Two instances sharing live events through Redis Streams (REDIS_URL), on one database. Each run
 * uses its own stream, so runs on a shared Redis never hear each other; it is deleted at the end.
 */
const REDIS_URL = process.env.REDIS_URL;
const describeWithRedis = REDIS_URL ? describe : describe.skip;
const title = REDIS_URL ? 'live events through Redis Streams' : 'live events through Redis Streams (skipped: set REDIS_URL to run it)';
const prefix = `${process.env.PARLEY_TEST_REDIS_PREFIX ?? 'parley-test:'}${crypto.randomBytes(6).toString('hex')}:`;

describeWithRedis(title, () => {
  let a: LiveParley;
  let b: LiveParley;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    const env = { REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: prefix, PARLEY_RATE_LIMITS: 'off' };
    a = await startLiveParley({ env });
    b = await startLiveParley({ env, database: a.database });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await b?.close();
    await a?.close();
    if (REDIS_URL) {
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(keys);
      await redis.close();
    }
  });

  it('delivers to readers on one instance what was posted through the other', async () => {
    expect(a.app.realtime.adapterKind).toBe('redis');
    const site = await buildSite(a.database.db);
    const thread = await buildThread(a.database.db, site.id);
    const socket = await connected(a.url);
    sockets.push(socket);
    const events = record(socket, THREAD_EVENTS);
    await emitAck(socket, 'thread:join', { threadId: thread.id });

    // The stream reader of each instance starts shortly after it does: wait until B's broadcasts reach A.
    let probes = 0;
    socket.on('probe', () => (probes += 1));
    await waitFor(
      () => {
        if (probes === 0) b.app.realtime.io.emit('probe');
        return probes > 0;
      },
      10_000,
      'the Redis stream to carry a broadcast',
    );

    const res = await b.http().post(`/api/v1/threads/${thread.id}/comments`).set('Content-Type', 'application/json').send({ body: 'Through B' });
    expect(res.status).toBe(201);
    await waitFor(() => events.length === 1, 5000, 'the comment on A');
    expect(events[0]!.payload.comment.id).toBe(res.body.comment.id);

    // Revocation on B disconnects the commenter's socket on A.
    const mine = await connected(a.url, { token: res.body.commenterToken });
    sockets.push(mine);
    const gone = new Promise<string>((resolve) => mine.once('disconnect', resolve));
    const commenter = await a.database.db.selectFrom('commenters').select('id').executeTakeFirstOrThrow();
    b.app.deps.bus.emit('commenter.revoked', { commenterId: commenter.id });
    expect(await gone).toBe('io server disconnect');
  });
});
