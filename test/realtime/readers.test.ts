import { inTransaction } from '../../server/db';
import { recordThreadEvent } from '../../server/threads/thread.events';
import { buildSite, buildThread, SITE_ORIGIN } from '../helpers/factories';
import { connect, connected, emitAck, eventsAfter, type LiveParley, type RawSocket, record, sleep, startLiveParley, THREAD_EVENTS, waitFor } from './helpers';

let parley: LiveParley;
const sockets: RawSocket[] = [];
beforeAll(async () => {
  // Posting limits off: these tests post in quick bursts from one address.
  parley = await startLiveParley({ env: { PARLEY_RATE_LIMITS: 'off' }, realtime: { readers: { maxMissed: 5 } } });
});
afterAll(() => parley.close());
beforeEach(() => parley.reset());
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

const db = () => parley.database.db;
async function reader(options: Parameters<typeof connected>[1] = {}) {
  const socket = await connected(parley.url, options);
  sockets.push(socket);
  return socket;
}
async function post(threadId: string, body: Record<string, unknown>, token?: string) {
  let req = parley.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json');
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  const res = await req.send(body);
  expect(res.status).toBe(201);
  return res.body as { comment: { id: string; seq: number; status: string }; commenterToken?: string };
}

describe('reader stream', () => {
  it('joins a thread and receives new comments live, shaped like the HTTP response', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const socket = await reader();
    const events = record(socket, THREAD_EVENTS);
    expect(await emitAck(socket, 'thread:join', { threadId: thread.id })).toEqual({ seq: 0, missed: [] });

    const posted = await post(thread.id, { body: 'Corporate death penalty, obviously.', name: 'Pat' });
    await waitFor(() => events.length === 1, 5000, 'the live comment');
    // `mine`, `editableUntil` and `bodySrc` are for the author alone; a broadcast is the same for every reader.
    const { mine: _mine, editableUntil: _editableUntil, bodySrc: _bodySrc, ...publicView } = posted.comment as unknown as Record<string, unknown>;
    expect(events[0]).toEqual({ event: 'comment:created', payload: { threadId: thread.id, seq: 1, comment: publicView } });
    expect(JSON.stringify(events[0])).not.toMatch(/email|ip_hash|commenter/);
  });

  it('does not deliver a thread the reader did not join, and stops after thread:leave', async () => {
    const site = await buildSite(db());
    const a = await buildThread(db(), site.id);
    const b = await buildThread(db(), site.id);
    const socket = await reader();
    const events = record(socket, THREAD_EVENTS);
    await emitAck(socket, 'thread:join', { threadId: a.id });
    await post(b.id, { body: 'in thread b' });
    await post(a.id, { body: 'in thread a' });
    await waitFor(() => events.length === 1);
    expect(events[0]!.payload.threadId).toBe(a.id);

    expect(await emitAck(socket, 'thread:leave', { threadId: a.id })).toEqual({ data: { threadId: a.id } });
    await post(a.id, { body: 'after leaving' });
    await sleep(200);
    expect(events).toHaveLength(1);
  });

  it('replays exactly what was missed after `since`, in order, as it was broadcast', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const live = await reader();
    const broadcast = record(live, THREAD_EVENTS);
    await emitAck(live, 'thread:join', { threadId: thread.id });
    for (const body of ['one', 'two', 'three', 'four']) await post(thread.id, { body });
    await waitFor(() => broadcast.length === 4);

    const late = await reader();
    const ack = await emitAck(late, 'thread:join', { threadId: thread.id, since: 1 });
    expect(ack.seq).toBe(4);
    // Broadcasts may overtake each other between instances; the replay is in seq order.
    const bySeq = [...broadcast].sort((a, b) => a.payload.seq - b.payload.seq);
    expect(ack.missed).toEqual(bySeq.slice(1));
    expect(ack.missed.map((m: any) => m.payload.seq)).toEqual([2, 3, 4]);

    expect(await emitAck(late, 'thread:join', { threadId: thread.id, since: 4 })).toEqual({ seq: 4, missed: [] });
  });

  it('answers {resync: true} when too much was missed, or when `since` is ahead of the thread', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    for (let i = 0; i < 7; i++) await post(thread.id, { body: `comment ${i}` });
    const socket = await reader();
    const events = record(socket, THREAD_EVENTS);
    // maxMissed is 5 on this server.
    expect(await emitAck(socket, 'thread:join', { threadId: thread.id, since: 1 })).toEqual({ resync: true });
    expect(await emitAck(socket, 'thread:join', { threadId: thread.id, since: 99 })).toEqual({ resync: true });
    // A resync leaves the reader out of the thread until it joins again.
    await post(thread.id, { body: 'while reloading' });
    await sleep(200);
    expect(events).toHaveLength(0);
    const ack = await emitAck(socket, 'thread:join', { threadId: thread.id, since: 3 });
    expect(ack.missed.map((m: any) => m.payload.seq)).toEqual([4, 5, 6, 7, 8]);
  });

  it("never shows a reader someone else's pending comment, live or replayed; its author sees it", async () => {
    const site = await buildSite(db(), { settings: { moderation: 'pre' } });
    const thread = await buildThread(db(), site.id);
    const first = await post(thread.id, { body: 'my first, held for moderation' });
    const token = first.commenterToken!;
    expect(first.comment.status).toBe('pending');

    const author = await reader({ token });
    const other = await reader();
    const authorEvents = record(author, THREAD_EVENTS);
    const otherEvents = record(other, THREAD_EVENTS);
    const authorAck = await emitAck(author, 'thread:join', { threadId: thread.id, since: 0 });
    const otherAck = await emitAck(other, 'thread:join', { threadId: thread.id, since: 0 });
    expect(authorAck.missed.map((m: any) => m.payload.comment.id)).toEqual([first.comment.id]);
    expect(otherAck).toEqual({ seq: 1, missed: [] });

    const authorLive = () => eventsAfter(authorEvents, authorAck.seq);
    const second = await post(thread.id, { body: 'my second, also held' }, token);
    await waitFor(() => authorLive().length === 1);
    expect(authorLive()[0]!.payload.comment).toMatchObject({ id: second.comment.id, status: 'pending', bodyHtml: '<p>my second, also held</p>' });
    await sleep(200);
    expect(otherEvents).toHaveLength(0);

    // A second device of the same commenter, the same token: sees its own; a stranger never does.
    const stranger = await post(thread.id, { body: 'a stranger, held too' });
    await sleep(200);
    expect(authorEvents.map((e) => e.payload.comment.id)).not.toContain(stranger.comment.id);
    const replay = await emitAck(other, 'thread:join', { threadId: thread.id, since: 0 });
    expect(replay).toEqual({ seq: 3, missed: [] });
  });

  it('hides the text of a comment taken down in a public event, live and replayed alike', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const socket = await reader();
    const events = record(socket, THREAD_EVENTS);
    await emitAck(socket, 'thread:join', { threadId: thread.id });
    const posted = await post(thread.id, { body: 'Something a moderator will reject' });
    await waitFor(() => events.length === 1);

    // A moderator's rejection (the moderation engine's write path) tells readers to take it down.
    const rejected = { ...events[0]!.payload.comment, status: 'rejected' };
    await inTransaction(parley.app.deps, async (uow) => {
      await recordThreadEvent(uow, { siteId: site.id, threadId: thread.id }, { event: 'comment:removed', comment: rejected, audience: null });
    });
    await waitFor(() => events.length === 2);
    expect(events[1]!.payload.comment).toMatchObject({ id: posted.comment.id, status: 'rejected', bodyHtml: '', author: { name: null } });
    const replay = await emitAck(socket, 'thread:join', { threadId: thread.id, since: 1 });
    expect(replay.missed).toEqual([events[1]]);
  });

  it('refuses joins it cannot authorise, with a clear error', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const socket = await reader();
    expect(await emitAck(socket, 'thread:join', { threadId: '0000000000000000' })).toEqual({
      error: { code: 'not_found', message: 'The thread was not found.' },
    });
    const invalid = await emitAck(socket, 'thread:join', { threadId: thread.id, since: -1, extra: true });
    expect(invalid.error.code).toBe('validation_failed');
    expect(invalid.error.details.length).toBeGreaterThan(0);
    expect((await emitAck(socket, 'thread:join', 'nonsense')).error.code).toBe('validation_failed');

    // A page of one site cannot follow another site's thread.
    const other = await buildSite(db(), { origins: ['https://other.example'] });
    await buildThread(db(), other.id);
    const fromOther = await reader({ origin: 'https://other.example' });
    expect((await emitAck(fromOther, 'thread:join', { threadId: thread.id })).error.code).toBe('origin_not_allowed');
    const fromSite = await reader({ origin: SITE_ORIGIN });
    expect(await emitAck(fromSite, 'thread:join', { threadId: thread.id })).toEqual({ seq: 0, missed: [] });
  });

  it('refuses handshakes from origins no site allows, and tokens that are not valid', async () => {
    await buildSite(db());
    const evil = await connect(parley.url, { origin: 'https://evil.example' });
    sockets.push(evil.socket);
    expect(evil.error).toBeDefined();
    expect(evil.socket.connected).toBe(false);

    const own = await connect(parley.url, { origin: parley.origin });
    sockets.push(own.socket);
    expect(own.error).toBeUndefined();

    const badToken = await connect(parley.url, { token: 'ct_not-a-real-token-at-all-000000000' });
    sockets.push(badToken.socket);
    expect(badToken.error?.message).toBe('unauthenticated');
    expect(badToken.error?.data?.code).toBe('unauthenticated');
  });

  it('refuses /moderation to a reader or an unknown API key', async () => {
    const attempt = await connect(parley.url, { namespace: '/moderation', auth: { apiKey: 'sk_anything' } });
    sockets.push(attempt.socket);
    expect(attempt.error?.message).toBe('unauthenticated');
  });
});
