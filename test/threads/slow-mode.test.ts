import { endCalmSlowModes } from '../../server/threads/slow-mode.service';
import { buildSite, buildThread } from '../helpers/factories';
import { startTestParley, type TestParley, useParley } from '../helpers/parley';
import { call } from '../helpers/reader';
import { apiKey, member } from '../helpers/staff';

// TRUST_PROXY lets a test speak from several networks through X-Forwarded-For.
const parley = useParley({ TRUST_PROXY: 'true' });
const db = () => parley.database.db;
const count = async (threadId: string) => (await db().selectFrom('comments').select('id').where('thread_id', '=', threadId).execute()).length;
const advance = (p: TestParley, seconds: number) => p.app.deps.clock.advance(seconds * 1000);

async function setup(settings: Record<string, unknown> = {}) {
  const site = await buildSite(db(), { settings });
  const thread = await buildThread(db(), site.id);
  const mod = await member(parley, [[site.id, 'moderator']], 'moderator');
  return { site, thread, mod, path: `/threads/${thread.id}/comments` };
}

function expectSlowMode(res: { status: number; headers: Record<string, string>; body: any }, atMost: number) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('slow_mode');
  expect(res.body.error.message).toMatch(/slow mode/);
  const wait = Number(res.headers['retry-after']);
  expect(Number.isInteger(wait)).toBe(true);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(atMost);
  return wait;
}

describe('slow mode set by staff', () => {
  it('lets each reader post once every N seconds: 429 slow_mode with Retry-After, nothing stored, then allowed once the time passed', async () => {
    const { thread, mod, path } = await setup();
    const set = await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 60 });
    expect(set.status).toBe(200);
    expect(set.body.thread).toMatchObject({ slowModeSeconds: 60, slowMode: { seconds: 60, automatic: false } });

    const first = await call(parley, 'post', path, { body: 'First thoughts' }, { ip: '203.0.113.1' });
    expect(first.status).toBe(201);
    const token = first.body.commenterToken;
    advance(parley, 20);
    expectSlowMode(await call(parley, 'post', path, { body: 'Too soon' }, { token, ip: '203.0.113.1' }), 40);
    // Another network does not help a reader with a token: slow mode follows the identity.
    const wait = expectSlowMode(await call(parley, 'post', path, { body: 'Too soon, elsewhere' }, { token, ip: '198.51.100.9' }), 40);
    expect(wait).toBeGreaterThanOrEqual(39);
    expect(await count(thread.id)).toBe(1);
    // Someone else posts at once.
    expect((await call(parley, 'post', path, { body: 'Another reader' }, { ip: '198.51.100.20' })).status).toBe(201);

    advance(parley, 41);
    expect((await call(parley, 'post', path, { body: 'A minute later' }, { token, ip: '203.0.113.1' })).status).toBe(201);
    expectSlowMode(await call(parley, 'post', path, { body: 'And again at once' }, { token }), 60);
    expect(await count(thread.id)).toBe(3);
  });

  it('holds a reader who drops their token by their network', async () => {
    const { thread, mod, path } = await setup();
    await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 30 }).expect(200);
    expect((await call(parley, 'post', path, { body: 'One' }, { ip: '192.0.2.7' })).status).toBe(201);
    expectSlowMode(await call(parley, 'post', path, { body: 'Two, as a new reader' }, { ip: '192.0.2.7' }), 30);
    expect(await count(thread.id)).toBe(1);
  });

  it('never holds staff or API keys', async () => {
    const { site, thread, mod, path } = await setup();
    await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 600 }).expect(200);
    const key = await apiKey(parley, site.id);
    for (let i = 0; i < 3; i++) {
      expect((await mod.call('post', `/moderation/threads/${thread.id}/comments`, { body: `Staff note ${i}` })).status).toBe(201);
      expect((await key.call('post', `/moderation/threads/${thread.id}/comments`, { body: `From the CMS ${i}`, memberId: mod.id })).status).toBe(201);
    }
    expect(await count(thread.id)).toBe(6);
    // Their posts never held a reader back either.
    expect((await call(parley, 'post', path, { body: 'A reader' }, { ip: '203.0.113.77' })).status).toBe(201);
  });

  it('switches off with 0 or null, is audited, and refuses a bad interval with 400', async () => {
    const { thread, mod, path } = await setup();
    await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 30 }).expect(200);
    const token = (await call(parley, 'post', path, { body: 'One' }, { ip: '203.0.113.3' })).body.commenterToken;
    const off = await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 0 });
    expect(off.body.thread).toMatchObject({ slowModeSeconds: null, slowMode: null });
    expect((await call(parley, 'post', path, { body: 'Two' }, { token })).status).toBe(201);
    for (const bad of [-1, 3601, 1.5, '30']) {
      const res = await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: bad });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const log = await db().selectFrom('moderation_log').select(['action', 'details']).orderBy('id').execute();
    expect(log.map((l) => l.action)).toEqual(['thread.update', 'thread.update']);
    expect(log[0]!.details).toMatchObject({ changes: { slow_mode_seconds: { from: null, to: 30 } } });
    // Readers see each change live, with the thread's next seq.
    const events = await db().selectFrom('thread_events').select(['event', 'payload']).where('thread_id', '=', thread.id).where('event', '=', 'thread:updated').orderBy('seq').execute();
    expect(events.map((e) => (e.payload as any).thread.slowMode)).toEqual([{ seconds: 30, automatic: false }, null]);
  });

  it('holds across two instances sharing one database', async () => {
    const { thread, mod, path } = await setup();
    const second = await startTestParley({ TRUST_PROXY: 'true' }, { database: parley.database });
    // One time for both, as instances of one deployment share real time.
    second.app.deps.clock.advance(parley.app.deps.clock.offsetMs());
    try {
      await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 45 }).expect(200);
      const token = (await call(parley, 'post', path, { body: 'Here' }, { ip: '203.0.113.4' })).body.commenterToken;
      expectSlowMode(await call(second, 'post', path, { body: 'There, at once' }, { token, ip: '203.0.113.4' }), 45);
      advance(second, 46);
      expect((await call(second, 'post', path, { body: 'There, later' }, { token, ip: '203.0.113.4' })).status).toBe(201);
      expect(await count(thread.id)).toBe(2);
    } finally {
      await second.close();
    }
  });
});

describe('automatic slow mode', () => {
  const settings = { slowModeAutoPerMinute: 4, slowModeAutoSeconds: 20, slowModeQuietMinutes: 2 };

  it('switches on when the thread posts faster than the site’s threshold and off once it calms down, live', async () => {
    const { thread, path } = await setup(settings);
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(parley, 'post', path, { body: `Busy ${i}` }, { ip: `198.51.100.${i + 1}` });
      expect(res.status).toBe(201);
      tokens.push(res.body.commenterToken);
    }
    const on = (await call(parley, 'get', `/threads/${thread.id}`)).body.thread;
    expect(on.slowMode).toEqual({ seconds: 20, automatic: true });
    expect(on.slowModeSeconds).toBeNull();

    // From now on each reader waits 20 s between posts.
    expect((await call(parley, 'post', path, { body: 'Still busy' }, { token: tokens[0] })).status).toBe(201);
    expectSlowMode(await call(parley, 'post', path, { body: 'Again' }, { token: tokens[0] }), 20);

    // Quiet for the site's two minutes: it switches off by itself.
    advance(parley, 60);
    expect(await endCalmSlowModes(parley.app.deps)).toBe(0);
    advance(parley, 61);
    expect(await endCalmSlowModes(parley.app.deps)).toBe(1);
    expect((await call(parley, 'get', `/threads/${thread.id}`)).body.thread.slowMode).toBeNull();
    const events = await db().selectFrom('thread_events').select('payload').where('thread_id', '=', thread.id).where('event', '=', 'thread:updated').orderBy('seq').execute();
    expect(events.map((e) => (e.payload as any).thread.slowMode)).toEqual([{ seconds: 20, automatic: true }, null]);
    expect((await call(parley, 'post', path, { body: 'Calm again' }, { token: tokens[0] })).status).toBe(201);
    expect((await call(parley, 'post', path, { body: 'And again' }, { token: tokens[0] })).status).toBe(201);
  });

  it('stays off below the threshold, when posts are spread over minutes', async () => {
    const { thread, path } = await setup(settings);
    for (let i = 0; i < 8; i++) {
      expect((await call(parley, 'post', path, { body: `Calm ${i}` }, { ip: `198.51.100.${i + 1}` })).status).toBe(201);
      advance(parley, 20);
    }
    expect((await call(parley, 'get', `/threads/${thread.id}`)).body.thread.slowMode).toBeNull();
  });
});

describe('with PARLEY_RATE_LIMITS=off', () => {
  it('never switches automatic slow mode on, while staff’s slow mode still holds', async () => {
    const unlimited = await startTestParley({ TRUST_PROXY: 'true', PARLEY_RATE_LIMITS: 'off' }, { database: parley.database });
    try {
      const { thread, mod, path } = await setup({ slowModeAutoPerMinute: 3 });
      for (let i = 0; i < 6; i++) expect((await call(unlimited, 'post', path, { body: `Load ${i}` }, { ip: `198.51.100.${i + 1}` })).status).toBe(201);
      expect((await call(unlimited, 'get', `/threads/${thread.id}`)).body.thread.slowMode).toBeNull();
      await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 30 }).expect(200);
      const token = (await call(unlimited, 'post', path, { body: 'Set' }, { ip: '203.0.113.9' })).body.commenterToken;
      expectSlowMode(await call(unlimited, 'post', path, { body: 'Again' }, { token }), 30);
    } finally {
      await unlimited.close();
    }
  });
});

describe('what slow mode keeps about a reader', () => {
  it('is in their export, goes with their erasure, and is forgotten after an hour', async () => {
    const { thread, mod, path } = await setup();
    await mod.call('patch', `/threads/${thread.id}`, { slowModeSeconds: 30 }).expect(200);
    const token = (await call(parley, 'post', path, { body: 'Kept a while' }, { ip: '203.0.113.60' })).body.commenterToken;
    const exported = await call(parley, 'get', '/me/export', undefined, { token });
    expect(exported.status).toBe(200);
    expect(exported.body.export.slowMode).toEqual([{ threadId: thread.id, postedAt: expect.any(String), network: expect.any(String), keptUntil: expect.any(String) }]);
    const kept = exported.body.export.slowMode[0];
    expect(Date.parse(kept.keptUntil) - Date.parse(kept.postedAt)).toBe(3600_000);

    // Another reader's time is forgotten an hour later, by the sweep.
    expect((await call(parley, 'post', path, { body: 'Someone else' }, { ip: '203.0.113.61' })).status).toBe(201);
    expect(await call(parley, 'delete', '/me', undefined, { token }).then((r) => r.status)).toBeLessThan(300);
    expect(await db().selectFrom('slow_mode_posts').select('commenter_id').execute()).toHaveLength(1);
    advance(parley, 3601);
    await endCalmSlowModes(parley.app.deps);
    expect(await db().selectFrom('slow_mode_posts').select('commenter_id').execute()).toHaveLength(0);
  });
});
