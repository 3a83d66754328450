import { sql } from 'kysely';
import type { ModerationAuthenticator } from '../../server/members/moderation-auth';
import { buildComment, buildSite, buildThread, SITE_ORIGIN } from '../helpers/factories';
import { connect, connected, emitAck, type LiveParley, type RawSocket, record, sleep, startLiveParley, waitFor } from './helpers';

/**
 * /moderation takes its authenticator from the members layer (sessions and API keys), injected at
 * the composition root. Until that layer is merged, these tests hand in one that resolves a
 * session cookie or an API key from a fixed table the test controls; the namespace, its
 * authorisation per site, the queue events and the counts are all real.
 */
const grants = new Map<string, string[]>();
const authenticate: ModerationAuthenticator = async ({ headers, auth }) => {
  const session = /(?:^|;\s*)parley_session=([^;]+)/.exec(headers.cookie ?? '')?.[1];
  const key = typeof auth.apiKey === 'string' ? auth.apiKey : undefined;
  const credential = session ?? key;
  const sites = credential ? grants.get(credential) : undefined;
  if (!sites) return null;
  return {
    memberId: session ? `member-${session}` : null,
    apiKeySiteId: key ? sites[0]! : null,
    canModerate: async (siteId) => sites.includes(siteId),
  };
};

let parley: LiveParley;
const sockets: RawSocket[] = [];
beforeAll(async () => {
  // The queues' heartbeat is slowed down here: these tests count every event; its own test is below.
  parley = await startLiveParley({ moderationAuth: authenticate, env: { PARLEY_RATE_LIMITS: 'off' }, realtime: { queueHeartbeatMs: 600_000 } });
});
afterAll(() => parley.close());
beforeEach(async () => {
  grants.clear();
  await parley.reset();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

const db = () => parley.database.db;
async function moderator(options: Parameters<typeof connected>[1]) {
  const socket = await connected(parley.url, { namespace: '/moderation', ...options });
  sockets.push(socket);
  return socket;
}
async function post(threadId: string, body: string) {
  const res = await parley.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json').send({ body });
  expect(res.status).toBe(201);
  return res.body.comment as { id: string; status: string };
}

describe('/moderation', () => {
  it('refuses connections without a valid session or key, and cookie sessions from other origins', async () => {
    await buildSite(db());
    grants.set('s3ss10n', ['anything']);
    const anonymous = await connect(parley.url, { namespace: '/moderation' });
    sockets.push(anonymous.socket);
    expect(anonymous.error?.message).toBe('unauthenticated');
    const wrongKey = await connect(parley.url, { namespace: '/moderation', auth: { apiKey: 'sk_nope' } });
    sockets.push(wrongKey.socket);
    expect(wrongKey.error?.message).toBe('unauthenticated');
    // A publisher's page may open sockets (it is an allowed origin) but never ride a moderator's cookie.
    const crossSite = await connect(parley.url, { namespace: '/moderation', cookie: 'parley_session=s3ss10n', origin: SITE_ORIGIN });
    sockets.push(crossSite.socket);
    expect(crossSite.error?.message).toBe('origin_not_allowed');
    const dashboard = await connect(parley.url, { namespace: '/moderation', cookie: 'parley_session=s3ss10n', origin: parley.origin });
    sockets.push(dashboard.socket);
    expect(dashboard.error).toBeUndefined();
  });

  it("authorises each queue:join against the principal's sites", async () => {
    const mine = await buildSite(db());
    const theirs = await buildSite(db());
    grants.set('sk_mine', [mine.id]);
    const socket = await moderator({ auth: { apiKey: 'sk_mine' } });
    expect(await emitAck(socket, 'queue:join', { siteId: theirs.id })).toEqual({ error: { code: 'not_found', message: 'The site was not found.' } });
    expect(await emitAck(socket, 'queue:join', { siteId: 'nonexistent-site' })).toMatchObject({ error: { code: 'not_found' } });
    expect((await emitAck(socket, 'queue:join', { siteId: 'Not A Site!' })).error.code).toBe('validation_failed');
    expect(await emitAck(socket, 'queue:join', { siteId: mine.id })).toEqual({
      data: { siteId: mine.id, counts: { pending: 0, flagged: 0, spam: 0, rejected: 0 }, version: 0 },
    });
  });

  it('announces arrivals, departures and counts of the queues live, for the joined site only', async () => {
    const site = await buildSite(db(), { settings: { moderation: 'pre' } });
    const other = await buildSite(db(), { settings: { moderation: 'pre' } });
    const thread = await buildThread(db(), site.id);
    const otherThread = await buildThread(db(), other.id);
    grants.set('s3ss10n', [site.id, other.id]);
    const socket = await moderator({ cookie: 'parley_session=s3ss10n', origin: parley.origin });
    const events = record(socket, ['queue:added', 'queue:removed', 'queue:counts']);
    await emitAck(socket, 'queue:join', { siteId: site.id });

    const held = await post(thread.id, 'Held for moderation');
    await post(otherThread.id, 'Held on another site');
    await waitFor(() => events.some((e) => e.event === 'queue:counts'), 3000, 'the counts');
    expect(events.filter((e) => e.event === 'queue:added')).toEqual([
      { event: 'queue:added', payload: { siteId: site.id, queue: 'pending', commentId: held.id, threadId: thread.id, version: 1 } },
    ]);
    expect(events.find((e) => e.event === 'queue:counts')!.payload).toEqual({
      siteId: site.id,
      counts: { pending: 1, flagged: 0, spam: 0, rejected: 0 },
      version: 1,
    });

    // A moderator rejects it (the moderation engine's write, then its event after commit).
    await db().updateTable('comments').set({ status: 'rejected', previous_status: 'pending' }).where('id', '=', held.id).execute();
    events.length = 0;
    parley.app.deps.bus.emit('comment.status', { siteId: site.id, threadId: thread.id, commentId: held.id, parentId: null, replyToId: null, commenterId: null, from: 'pending', to: 'rejected' });
    await waitFor(() => events.some((e) => e.event === 'queue:counts'), 3000, 'the new counts');
    // The two moves may arrive in either order (separate broadcasts through the adapter); the counts follow.
    expect(events.slice(0, 2)).toEqual(
      expect.arrayContaining([
        { event: 'queue:removed', payload: { siteId: site.id, queue: 'pending', commentId: held.id, threadId: thread.id } },
        { event: 'queue:added', payload: { siteId: site.id, queue: 'rejected', commentId: held.id, threadId: thread.id } },
      ]),
    );
    expect(events.slice(2)).toEqual([
      // This move was announced by hand, not recorded: the site's counter did not move.
      { event: 'queue:counts', payload: { siteId: site.id, counts: { pending: 0, flagged: 0, spam: 0, rejected: 1 }, version: 1 } },
    ]);

    // After queue:leave, nothing more arrives.
    await emitAck(socket, 'queue:leave', { siteId: site.id });
    events.length = 0;
    await post(thread.id, 'Another one');
    await sleep(400);
    expect(events).toHaveLength(0);
  });

  it('coalesces counts during a burst and counts the flagged queue by the site threshold', async () => {
    const site = await buildSite(db(), { settings: { flagThreshold: 2 } });
    const thread = await buildThread(db(), site.id);
    grants.set('sk_site', [site.id]);
    const socket = await moderator({ auth: { apiKey: 'sk_site' } });
    const events = record(socket, ['queue:counts']);
    await emitAck(socket, 'queue:join', { siteId: site.id });

    const comments = [];
    for (let i = 0; i < 3; i++) comments.push(await post(thread.id, `approved ${i}`));
    await db().updateTable('comments').set({ flag_count: 2 }).where('id', '=', comments[0]!.id).execute();
    await db().updateTable('comments').set({ flag_count: 1 }).where('id', '=', comments[1]!.id).execute();
    for (let i = 0; i < 10; i++) {
      parley.app.deps.bus.emit('comment.status', { siteId: site.id, threadId: thread.id, commentId: comments[2]!.id, parentId: null, replyToId: null, commenterId: null, from: 'approved', to: 'approved' });
    }
    await waitFor(() => events.some((e) => e.payload.counts.flagged === 1), 3000, 'the flagged count');
    await sleep(300);
    expect(events.length).toBeLessThanOrEqual(3);
    expect(events.at(-1)!.payload.counts).toEqual({ pending: 0, flagged: 1, spam: 0, rejected: 0 });
  });
});

describe('/moderation heartbeat', () => {
  it('sends the counts again, so a dashboard that missed a change learns of it within a beat', async () => {
    const beating = await startLiveParley({ moderationAuth: authenticate, realtime: { queueHeartbeatMs: 300 } });
    try {
      const site = await buildSite(beating.database.db);
      const thread = await buildThread(beating.database.db, site.id);
      grants.set('k3y', [site.id]);
      const socket = await connected(beating.url, { namespace: '/moderation', auth: { apiKey: 'k3y' } });
      sockets.push(socket);
      const events = record(socket, ['queue:counts']);
      await emitAck(socket, 'queue:join', { siteId: site.id });
      // Held comments written without telling anyone (as if their notification were lost).
      await buildComment(beating.database.db, thread, { status: 'pending' });
      await buildComment(beating.database.db, thread, { status: 'pending' });
      await waitFor(() => events.some((e) => (e.payload as { counts: { pending: number } }).counts.pending === 2), 5000, 'the counts again');
    } finally {
      await beating.close();
    }
  });

  it('carries the site\'s queue version, so a dashboard can tell an event never reached it', async () => {
    const beating = await startLiveParley({ moderationAuth: authenticate, realtime: { queueHeartbeatMs: 300 } });
    try {
      const site = await buildSite(beating.database.db, { settings: { moderation: 'pre' } });
      const thread = await buildThread(beating.database.db, site.id);
      grants.set('k3y', [site.id]);
      const socket = await connected(beating.url, { namespace: '/moderation', auth: { apiKey: 'k3y' } });
      sockets.push(socket);
      const events = record(socket, ['queue:added', 'queue:counts']);
      const joined = (await emitAck(socket, 'queue:join', { siteId: site.id })) as { data: { version: number } };
      expect(joined.data.version).toBe(0);
      for (const body of ['Held one', 'Held two']) {
        const res = await beating.http().post(`/api/v1/threads/${thread.id}/comments`).set('Content-Type', 'application/json').send({ body });
        expect(res.status).toBe(201);
      }
      await waitFor(() => events.filter((e) => e.event === 'queue:added').length === 2, 5000, 'both arrivals');
      const versions = events.filter((e) => e.event === 'queue:added').map((e) => (e.payload as { version: number }).version);
      expect(versions.sort()).toEqual([1, 2]);
      // A third change whose event is lost on its way (written here without one): the next
      // heartbeat's counts are a version ahead of the last event, which is how the dashboard knows.
      await buildComment(beating.database.db, thread, { status: 'pending' });
      await beating.database.db.updateTable('sites').set({ queue_version: sql`queue_version + 1` }).where('id', '=', site.id).execute();
      await waitFor(
        () => events.some((e) => e.event === 'queue:counts' && (e.payload as { version: number; counts: { pending: number } }).version === 3),
        5000,
        'counts at version 3',
      );
      const last = events.filter((e) => e.event === 'queue:counts').at(-1)!.payload as { counts: { pending: number } };
      expect(last.counts.pending).toBe(3);
    } finally {
      await beating.close();
    }
  });
});
