import { buildSite, buildThread } from '../helpers/factories';
import { connected, emitAck, type LiveParley, type RawSocket, record, sleep, startLiveParley, THREAD_EVENTS, waitFor } from './helpers';

let parley: LiveParley;
const sockets: RawSocket[] = [];
beforeAll(async () => {
  // Small limits so the test floods quickly: 5 events per 2 s, cut off past 15; 3 threads a socket.
  parley = await startLiveParley({
    realtime: { limits: { events: 5, windowMs: 2000, cutOffAt: 15 }, readers: { maxThreadsPerSocket: 3 } },
  });
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
const disconnection = (socket: RawSocket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

async function postAndExpect(threadId: string, body: string, watchers: Array<Array<{ payload: any }>>) {
  const res = await parley.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json').send({ body });
  expect(res.status).toBe(201);
  for (const events of watchers) await waitFor(() => events.some((e) => e.payload.comment?.id === res.body.comment.id));
  return res.body;
}

describe('socket defences', () => {
  it('answers rate_limited past the per-socket limit, then cuts a flooding socket off without hurting others', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const flooder = await reader();
    const neighbour = await reader();
    const neighbourEvents = record(neighbour, THREAD_EVENTS);
    await emitAck(neighbour, 'thread:join', { threadId: thread.id });

    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await emitAck(flooder, 'thread:join', { threadId: thread.id }));
    expect(acks.every((a) => a.seq === 0)).toBe(true);
    const limited = await emitAck(flooder, 'thread:join', { threadId: thread.id });
    expect(limited.error.code).toBe('rate_limited');

    const gone = disconnection(flooder);
    for (let i = 0; i < 30; i++) flooder.emit('thread:join', { threadId: thread.id }, () => {});
    expect(await gone).toBe('io server disconnect');

    await postAndExpect(thread.id, 'the neighbour still hears this', [neighbourEvents]);
    expect(neighbour.connected).toBe(true);
  });

  it('drops a connection that sends an oversized message, and only that one', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const big = await reader();
    const neighbour = await reader();
    const neighbourEvents = record(neighbour, THREAD_EVENTS);
    await emitAck(neighbour, 'thread:join', { threadId: thread.id });

    const gone = disconnection(big);
    big.emit('thread:join', { threadId: thread.id, padding: 'x'.repeat(64 * 1024) });
    expect(await gone).toMatch(/transport (close|error)/);
    await postAndExpect(thread.id, 'still here', [neighbourEvents]);
  });

  it('caps how many threads one connection follows', async () => {
    const site = await buildSite(db());
    const socket = await reader();
    const threads = [];
    for (let i = 0; i < 4; i++) threads.push(await buildThread(db(), site.id));
    for (const thread of threads.slice(0, 3)) expect((await emitAck(socket, 'thread:join', { threadId: thread.id })).seq).toBe(0);
    expect((await emitAck(socket, 'thread:join', { threadId: threads[3]!.id })).error.code).toBe('too_many_threads');
    // Leaving one makes room.
    await sleep(2100);
    await emitAck(socket, 'thread:leave', { threadId: threads[0]!.id });
    expect((await emitAck(socket, 'thread:join', { threadId: threads[3]!.id })).seq).toBe(0);
  });

  it("disconnects an erased commenter's sockets, and only theirs", async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const first = await postAndExpect(thread.id, 'I will erase myself', []);

    const mine = await reader({ token: first.commenterToken });
    const other = await reader();
    const otherEvents = record(other, THREAD_EVENTS);
    const revoked: unknown[] = [];
    mine.on('session:revoked', () => revoked.push(true));
    await emitAck(mine, 'thread:join', { threadId: thread.id });
    await emitAck(other, 'thread:join', { threadId: thread.id });

    const gone = disconnection(mine);
    const erased = await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${first.commenterToken}`);
    expect(erased.status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect(revoked).toHaveLength(1);
    await postAndExpect(thread.id, 'the others read on', [otherEvents]);
  });
});
