import { buildSite, buildThread } from '../helpers/factories';
import { apiKey, member } from '../helpers/staff';
import { connect, connected, emitAck, type LiveParley, type RawSocket, record, startLiveParley, waitFor } from './helpers';

/** /moderation with the real members layer: session cookies and API keys from the database. */
let parley: LiveParley;
const sockets: RawSocket[] = [];
beforeAll(async () => {
  parley = await startLiveParley({ env: { PARLEY_RATE_LIMITS: 'off' } });
});
afterAll(() => parley.close());
beforeEach(() => parley.reset());
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

describe('/moderation with members and keys', () => {
  it('lets a signed-in moderator follow their site’s queue live, as a real decision moves it', async () => {
    const db = parley.database.db;
    const site = await buildSite(db, { settings: { moderation: 'pre' } });
    const other = await buildSite(db);
    const thread = await buildThread(db, site.id);
    const moderator = await member(parley, [[site.id, 'moderator']], 'moderator');
    const socket = await connected(parley.url, { namespace: '/moderation', cookie: moderator.cookie, origin: parley.origin });
    sockets.push(socket);
    expect((await emitAck(socket, 'queue:join', { siteId: other.id })).error.code).toBe('not_found');
    expect((await emitAck(socket, 'queue:join', { siteId: site.id })).data.counts).toEqual({ pending: 0, flagged: 0, spam: 0, rejected: 0 });

    const events = record(socket, ['queue:added', 'queue:removed', 'queue:counts']);
    const posted = await parley.http().post(`/api/v1/threads/${thread.id}/comments`).set('Content-Type', 'application/json').send({ body: 'Off with their heads.' });
    expect(posted.body.comment.status).toBe('pending');
    await waitFor(() => events.some((e) => e.event === 'queue:added'), 5000, 'the arrival');

    events.length = 0;
    const decided = await moderator.call('post', `/moderation/comments/${posted.body.comment.id}/decision`, { action: 'approve' });
    expect(decided.status).toBe(200);
    await waitFor(() => events.some((e) => e.event === 'queue:removed'), 5000, 'the departure');
    await waitFor(() => events.some((e) => e.event === 'queue:counts' && (e.payload as { counts: { pending: number } }).counts.pending === 0), 5000, 'the counts');
  });

  it('moves a reported comment into the flagged queue live, and out of it when a moderator approves it', async () => {
    const db = parley.database.db;
    const site = await buildSite(db, { settings: { flagThreshold: 2 } });
    const thread = await buildThread(db, site.id);
    const moderator = await member(parley, [[site.id, 'moderator']], 'moderator');
    const socket = await connected(parley.url, { namespace: '/moderation', cookie: moderator.cookie, origin: parley.origin });
    sockets.push(socket);
    await emitAck(socket, 'queue:join', { siteId: site.id });
    const events = record(socket, ['queue:added', 'queue:removed', 'queue:counts']);
    const flaggedCount = () => {
      const counts = events.filter((e) => e.event === 'queue:counts');
      return counts.length ? (counts[counts.length - 1]!.payload as { counts: { flagged: number } }).counts.flagged : undefined;
    };

    const posted = await parley.http().post(`/api/v1/threads/${thread.id}/comments`).set('Content-Type', 'application/json').send({ body: 'Pay the ransom.' });
    const id = posted.body.comment.id as string;
    const flag = () => parley.http().post(`/api/v1/comments/${id}/flags`).set('Content-Type', 'application/json').send({ reason: 'abuse' });
    expect((await flag()).status).toBe(201);
    expect((await flag()).status).toBe(201);
    await waitFor(() => events.some((e) => e.event === 'queue:added' && (e.payload as { queue: string }).queue === 'flagged'), 5000, 'the flagged arrival');
    await waitFor(() => flaggedCount() === 1, 5000, 'flagged count 1');

    events.length = 0;
    expect((await moderator.call('post', `/moderation/comments/${id}/decision`, { action: 'approve' })).status).toBe(200);
    await waitFor(() => events.some((e) => e.event === 'queue:removed' && (e.payload as { queue: string; commentId: string }).queue === 'flagged'), 5000, 'the flagged departure');
    await waitFor(() => flaggedCount() === 0, 5000, 'flagged count 0');
    expect((await moderator.call('get', `/moderation/queues?site=${site.id}`)).body.counts.flagged).toBe(0);

    // The cleared reports do not count again: one new report is below the threshold of two.
    events.length = 0;
    expect((await flag()).status).toBe(201);
    await waitFor(() => flaggedCount() === 0, 5000, 'counts after a new report');
    expect(events.some((e) => e.event === 'queue:added')).toBe(false);
    expect((await flag()).status).toBe(201);
    await waitFor(() => flaggedCount() === 1, 5000, 'flagged again at the threshold');
  });

  it('accepts a site API key and refuses journalists, strangers and revoked sessions', async () => {
    const db = parley.database.db;
    const site = await buildSite(db);
    const key = await apiKey(parley, site.id);
    const keySocket = await connected(parley.url, { namespace: '/moderation', auth: { apiKey: key.secret } });
    sockets.push(keySocket);
    expect((await emitAck(keySocket, 'queue:join', { siteId: site.id })).data).toBeDefined();

    const journalist = await member(parley, [[site.id, 'journalist']], 'journalist');
    const jSocket = await connected(parley.url, { namespace: '/moderation', cookie: journalist.cookie, origin: parley.origin });
    sockets.push(jSocket);
    expect((await emitAck(jSocket, 'queue:join', { siteId: site.id })).error).toBeDefined();

    const stranger = await connect(parley.url, { namespace: '/moderation', cookie: 'parley_session=forged', origin: parley.origin });
    sockets.push(stranger.socket);
    expect(stranger.error?.message).toBe('unauthenticated');

    const moderator = await member(parley, [[site.id, 'moderator']], 'moderator');
    expect((await moderator.call('post', '/auth/logout')).status).toBeLessThan(300);
    const ended = await connect(parley.url, { namespace: '/moderation', cookie: moderator.cookie, origin: parley.origin });
    sockets.push(ended.socket);
    expect(ended.error?.message).toBe('unauthenticated');
  });
});
