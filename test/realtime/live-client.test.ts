import { createLiveClient, type LiveClient, type LiveStatus, type ThreadEvent } from '../../client/shared/live';
import type { PollResultsPayload } from '../../server/realtime/contract';
import { CreatePollSchema } from '../../server/polls/poll.schema';
import { createPoll } from '../../server/polls/poll.service';
import { buildSite, buildThread } from '../helpers/factories';
import { type LiveParley, startLiveParley, waitFor } from './helpers';

let parley: LiveParley;
const clients: LiveClient[] = [];
beforeAll(async () => {
  parley = await startLiveParley({ env: { PARLEY_RATE_LIMITS: 'off' }, realtime: { readers: { maxMissed: 5 } } });
});
afterAll(() => parley.close());
beforeEach(() => parley.reset());
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

const db = () => parley.database.db;
async function post(threadId: string, body: string, token?: string) {
  let req = parley.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json');
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  const res = await req.send({ body });
  expect(res.status).toBe(201);
  return res.body as { comment: { id: string; seq: number }; commenterToken?: string };
}

/** A live client following one thread, recording what the caller would render. */
function follow(threadId: string, since: number | null, token?: string) {
  const client = createLiveClient({ url: parley.url, token, socket: { reconnectionDelay: 100, reconnectionDelayMax: 500 } });
  clients.push(client);
  const events: ThreadEvent[] = [];
  const statuses: LiveStatus[] = [];
  let resyncs = 0;
  const thread = client.follow(threadId, {
    since,
    onEvent: (e) => events.push(e),
    onResync: () => {
      resyncs += 1;
    },
    onStatus: (s) => statuses.push(s),
  });
  return { client, thread, events, statuses, resyncs: () => resyncs };
}
const ids = (events: ThreadEvent[]) => events.map((e) => (e.payload as { comment: { id: string } }).comment.id);

describe('the shared live client', () => {
  it('catches up after a dropped connection: every comment once, in order', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const reader = follow(thread.id, 0);
    await waitFor(() => reader.statuses.includes('live'));
    const posted = [await post(thread.id, 'before the drop')];
    await waitFor(() => reader.events.length === 1);

    // The server closes every transport (as on shutdown); comments keep coming while the client is away.
    parley.app.realtime.disconnectAll();
    for (let i = 0; i < 3; i++) posted.push(await post(thread.id, `during the drop ${i}`));
    await waitFor(() => reader.statuses.filter((s) => s === 'live').length === 2, 5000, 'the re-join');
    posted.push(await post(thread.id, 'after the drop'));
    await waitFor(() => reader.events.length === 5, 5000, 'all five comments');

    expect(reader.statuses).toContain('offline');
    expect(ids(reader.events)).toEqual(posted.map((p) => p.comment.id));
    expect(reader.events.map((e) => e.payload.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(reader.thread.seq).toBe(5);
  });

  it('signals resync when too much was missed, and resumes from the reloaded seq', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    for (let i = 0; i < 7; i++) await post(thread.id, `old ${i}`);
    const reader = follow(thread.id, 0);
    await waitFor(() => reader.resyncs() === 1, 5000, 'the resync signal');
    expect(reader.events).toHaveLength(0);

    // The caller reloads the thread over HTTP and resumes from its seq.
    const page = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    reader.thread.resync(page.body.seq);
    await waitFor(() => reader.statuses.includes('live'));
    const fresh = await post(thread.id, 'new after the reload');
    await waitFor(() => reader.events.length === 1);
    expect(ids(reader.events)).toEqual([fresh.comment.id]);
  });

  it("delivers a reader's own pending comment to them only", async () => {
    const site = await buildSite(db(), { settings: { moderation: 'pre' } });
    const thread = await buildThread(db(), site.id);
    const first = await post(thread.id, 'held');
    const author = follow(thread.id, 1, first.commenterToken);
    const stranger = follow(thread.id, 1);
    await waitFor(() => author.statuses.includes('live') && stranger.statuses.includes('live'));
    const second = await post(thread.id, 'held again', first.commenterToken);
    await waitFor(() => author.events.length === 1);
    expect(ids(author.events)).toEqual([second.comment.id]);
    await new Promise((r) => setTimeout(r, 300));
    expect(stranger.events).toHaveLength(0);
  });

  it('forgets the token of a reader who erased themselves, and goes on reading anonymously', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const first = await post(thread.id, 'mine');
    let rejected = 0;
    const client = createLiveClient({
      url: parley.url,
      token: first.commenterToken,
      onTokenRejected: () => {
        rejected += 1;
      },
      socket: { reconnectionDelay: 100 },
    });
    clients.push(client);
    const events: ThreadEvent[] = [];
    const statuses: LiveStatus[] = [];
    client.follow(thread.id, { since: 1, onEvent: (e) => events.push(e), onResync: () => {}, onStatus: (s) => statuses.push(s) });
    await waitFor(() => statuses.includes('live'));
    // The reader erases themselves (from another tab): the live client forgets the token and reads on.
    const erased = await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${first.commenterToken}`);
    expect(erased.status).toBe(200);
    await waitFor(() => rejected === 1 && statuses.filter((s) => s === 'live').length === 2, 5000, 'the anonymous re-join');
    const later = await post(thread.id, 'someone else, later');
    await waitFor(() => events.length === 2);
    // Their comment became a tombstone without author; the thread goes on.
    expect(events.map((e) => e.event)).toEqual(['comment:removed', 'comment:created']);
    expect(ids(events)).toEqual([first.comment.id, later.comment.id]);
    expect(events[0]!.payload).toMatchObject({ comment: { author: { name: null }, bodyHtml: '' } });

    // A token refused at the handshake is dropped the same way.
    let refused = 0;
    const stale = createLiveClient({
      url: parley.url,
      token: 'ct_revoked-long-ago-000000000000000000',
      onTokenRejected: () => {
        refused += 1;
      },
    });
    clients.push(stale);
    await waitFor(() => refused === 1 && stale.connected, 5000, 'the anonymous connection');
  });

  it('sends coalesced poll results to the thread, only what anyone may see', async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const editor = { memberId: null, canManage: async (id: string) => id === site.id };
    const open = await createPoll(parley.app.deps, editor, thread.id, CreatePollSchema.parse({ question: 'Fine them?', options: ['Yes', 'No'], networkCap: 100 }));
    const secret = await createPoll(
      parley.app.deps,
      editor,
      thread.id,
      CreatePollSchema.parse({ question: 'Ban them?', options: ['Yes', 'No'], visibility: 'after_close' }),
    );
    const client = createLiveClient({ url: parley.url });
    clients.push(client);
    const results: PollResultsPayload[] = [];
    const statuses: LiveStatus[] = [];
    client.follow(thread.id, { since: 2, onEvent: () => {}, onResync: () => {}, onPollResults: (p) => results.push(p), onStatus: (s) => statuses.push(s) });
    await waitFor(() => statuses.includes('live'));

    const votes = [];
    for (let i = 0; i < 6; i++) {
      votes.push(parley.http().put(`/api/v1/polls/${open.id}/vote`).set('Content-Type', 'application/json').send({ optionIds: [open.options[i % 2]!.id] }));
    }
    for (const res of await Promise.all(votes)) expect(res.status).toBe(200);
    await waitFor(() => results.some((r) => r.pollId === open.id && r.results?.voters === 6), 5000, 'the tally of six votes');
    // A burst of six votes is a broadcast or two, not six.
    expect(results.filter((r) => r.pollId === open.id).length).toBeLessThanOrEqual(2);
    expect(results.at(-1)).toEqual({
      threadId: thread.id,
      pollId: open.id,
      state: 'open',
      results: { voters: 6, votes: { [open.options[0]!.id]: 3, [open.options[1]!.id]: 3 } },
    });

    const res = await parley.http().put(`/api/v1/polls/${secret.id}/vote`).set('Content-Type', 'application/json').send({ optionIds: [secret.options[0]!.id] });
    expect(res.status).toBe(200);
    await waitFor(() => results.some((r) => r.pollId === secret.id));
    expect(results.find((r) => r.pollId === secret.id)).toEqual({ threadId: thread.id, pollId: secret.id, state: 'open', results: null });
  });
});
