import net from 'node:net';
import { createClient } from 'redis';
import { FLOOD_BUDGETS } from '../../server/limits/flood';
import { buildSite, buildThread } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { call, recordEvents } from '../helpers/reader';

let parley: TestParley;
beforeAll(async () => {
  // TRUST_PROXY lets a test speak from several networks through X-Forwarded-For.
  parley = await startTestParley({ TRUST_PROXY: 'true' });
});
afterAll(() => parley.close());
beforeEach(() => parley.reset());

const db = () => parley.database.db;
const onPostgres = !!process.env.DATABASE_URL;
const count = async () => (await db().selectFrom('comments').selectAll().execute()).length;
const perCommenter = FLOOD_BUDGETS.comment.commenter.points;
const perNetwork = FLOOD_BUDGETS.comment.network.points;

async function setup() {
  // Flood limits alone: a thread taking 30 posts a minute would otherwise switch to slow mode (test/threads/slow-mode.test.ts).
  const site = await buildSite(db(), { settings: { slowModeAutoPerMinute: 0 } });
  const thread = await buildThread(db(), site.id);
  return { thread, path: `/threads/${thread.id}/comments` };
}

function expect429(res: { status: number; headers: Record<string, string>; body: any }) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  const wait = Number(res.headers['retry-after']);
  expect(Number.isInteger(wait)).toBe(true);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(60);
}

async function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: 6379 });
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

describe('flood limits', () => {
  it('answers 429 with Retry-After when one reader posts too fast, and stores nothing', async () => {
    const { path } = await setup();
    const first = await call(parley, 'post', path, { body: 'comment 0' }, { ip: '203.0.113.1' });
    const token = first.body.commenterToken;
    for (let i = 1; i < perCommenter; i++) {
      expect((await call(parley, 'post', path, { body: `comment ${i}` }, { token, ip: `203.0.113.${i + 1}` })).status).toBe(201);
    }
    const refused = await call(parley, 'post', path, { body: 'one too many' }, { token, ip: '198.51.100.7' });
    expect429(refused);
    expect(await count()).toBe(perCommenter);
    // Someone else, elsewhere, is not held back.
    expect((await call(parley, 'post', path, { body: 'another reader' }, { ip: '198.51.100.8' })).status).toBe(201);
    expect(parley.app.deps.limits.store).toBe(onPostgres ? 'postgres' : 'memory');
  });

  it('limits one network, whatever identities it uses', async () => {
    const { path } = await setup();
    const ip = '192.0.2.10';
    for (let i = 0; i < perNetwork; i++) {
      expect((await call(parley, 'post', path, { body: `fresh identity ${i}` }, { ip })).status).toBe(201);
    }
    expect429(await call(parley, 'post', path, { body: 'yet another identity' }, { ip }));
    // Another network is not affected.
    expect((await call(parley, 'post', path, { body: 'elsewhere' }, { ip: '192.0.2.11' })).status).toBe(201);
    expect(await count()).toBe(perNetwork + 1);
  });

  it('counts flood in the shared database table on PostgreSQL', async () => {
    if (!onPostgres) return;
    const { path } = await setup();
    const token = (await call(parley, 'post', path, { body: 'hello' }, { ip: '203.0.113.50' })).body.commenterToken;
    const rows = await db().selectFrom('rate_limits').selectAll().execute();
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining([expect.stringMatching(/^flood:comment:c:/), expect.stringMatching(/^flood:comment:n:/)]));
    // A second instance on the same database shares the budget.
    const second = await startTestParley({ TRUST_PROXY: 'true' }, { keepData: true });
    try {
      for (let i = 1; i < perCommenter; i++) {
        const via = i % 2 ? second : parley;
        expect((await call(via, 'post', path, { body: `from both ${i}` }, { token, ip: `203.0.113.${60 + i}` })).status).toBe(201);
      }
      expect429(await call(second, 'post', path, { body: 'over the shared limit' }, { token, ip: '203.0.113.99' }));
    } finally {
      await second.close();
    }
  });

  it('counts flood in Redis when REDIS_URL is set', async () => {
    if (!(await redisReachable())) {
      console.warn('Redis is not reachable on 127.0.0.1:6379: the Redis flood store was not exercised');
      return;
    }
    // Each instance group keeps its counters under its own prefix (REDIS_KEY_PREFIX).
    const prefix = `parley-flood-${process.pid}-${Date.now()}:`;
    const withRedis = await startTestParley({ TRUST_PROXY: 'true', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix });
    try {
      expect(withRedis.app.deps.limits.store).toBe('redis');
      const site = await buildSite(withRedis.database.db);
      const thread = await buildThread(withRedis.database.db, site.id);
      const path = `/threads/${thread.id}/comments`;
      const token = (await call(withRedis, 'post', path, { body: 'via redis 0' }, { ip: '203.0.113.120' })).body.commenterToken;
      for (let i = 1; i < perCommenter; i++) {
        expect((await call(withRedis, 'post', path, { body: `via redis ${i}` }, { token, ip: `203.0.113.${120 + i}` })).status).toBe(201);
      }
      expect429(await call(withRedis, 'post', path, { body: 'via redis, too many' }, { token, ip: '203.0.113.140' }));
      // The counter really is in Redis, where every instance sees it.
      const commenter = await withRedis.database.db.selectFrom('commenters').select('id').executeTakeFirstOrThrow();
      const redis = createClient({ url: 'redis://127.0.0.1:6379' });
      await redis.connect();
      try {
        expect(Number(await redis.get(`${prefix}flood:comment:c:${commenter.id}`))).toBe(perCommenter + 1);
        expect(await redis.get(`parley:flood:comment:c:${commenter.id}`)).toBeNull();
      } finally {
        await redis.close();
      }
    } finally {
      await withRedis.close();
    }
  });

  it('can be switched off for load tests', async () => {
    const unlimited = await startTestParley({ PARLEY_RATE_LIMITS: 'off' });
    try {
      const site = await buildSite(unlimited.database.db);
      const thread = await buildThread(unlimited.database.db, site.id);
      const path = `/threads/${thread.id}/comments`;
      const token = (await call(unlimited, 'post', path, { body: 'load 0' })).body.commenterToken;
      for (let i = 1; i < perCommenter * 2; i++) {
        expect((await call(unlimited, 'post', path, { body: `load ${i}` }, { token })).status).toBe(201);
      }
    } finally {
      await unlimited.close();
    }
  });
});

describe('duplicates', () => {
  it('answers 409 when a reader posts the same text twice in a thread', async () => {
    const { thread, path } = await setup();
    const first = await call(parley, 'post', path, { body: 'Hello *world*' }, { ip: '203.0.113.1' });
    const token = first.body.commenterToken;
    for (const body of ['Hello *world*', 'hello   WORLD', '**Hello** world']) {
      const dup = await call(parley, 'post', path, { body }, { token, ip: '203.0.113.1' });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('duplicate_comment');
    }
    expect(await count()).toBe(1);
    // Elsewhere, or once the first is deleted, the same words are fine.
    const other = await buildThread(db(), thread.site_id);
    expect((await call(parley, 'post', `/threads/${other.id}/comments`, { body: 'Hello world' }, { token })).status).toBe(201);
    await call(parley, 'delete', `/comments/${first.body.comment.id}`, undefined, { token });
    expect((await call(parley, 'post', path, { body: 'Hello world' }, { token })).status).toBe(201);
  });

  it('catches a double-submitted first post from one network, not the same words from another', async () => {
    const { path } = await setup();
    expect((await call(parley, 'post', path, { body: 'First!' }, { ip: '198.51.100.1' })).status).toBe(201);
    expect((await call(parley, 'post', path, { body: 'First!' }, { ip: '198.51.100.1' })).status).toBe(409);
    expect((await call(parley, 'post', path, { body: 'First!' }, { ip: '198.51.100.2' })).status).toBe(201);
    expect(await db().selectFrom('commenters').selectAll().execute()).toHaveLength(2);
  });
});

describe('bots', () => {
  it('files a filled honeypot or an inhumanly fast form as spam, seen by nobody', async () => {
    const { thread, path } = await setup();
    const events = recordEvents(parley);
    const trap = await call(parley, 'post', path, { body: 'Buy now', hp: 'http://spam.example' }, { ip: '198.51.100.20' });
    expect(trap.status).toBe(201);
    expect(trap.body.comment.status).toBe('pending'); // the bot is not told
    const fast = await call(parley, 'post', path, { body: 'Typed in a flash', elapsedMs: 350 }, { ip: '198.51.100.21' });
    expect(fast.body.comment.status).toBe('pending');
    const human = await call(parley, 'post', path, { body: 'Typed like a person', elapsedMs: 45_000, hp: '' }, { ip: '198.51.100.22' });
    expect(human.body.comment.status).toBe('approved');

    const rows = await db().selectFrom('comments').select(['id', 'status']).orderBy('created_at').execute();
    expect(rows.map((r) => r.status)).toEqual(['spam', 'spam', 'approved']);
    const list = await call(parley, 'get', `/threads/${thread.id}/comments`);
    expect(list.body.items.map((c: any) => c.id)).toEqual([human.body.comment.id]);
    expect(events.of('comment.status').map((e) => e.to)).toEqual(['spam', 'spam', 'approved']);
    events.stop();
  });
});
