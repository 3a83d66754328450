import { Webhook } from 'standardwebhooks';
import { buildSite, SITE_ORIGIN } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';
import { EVENT_TYPES } from '../../server/webhooks/webhook.render';
import { useReceiver } from './receiver';

const parley = useParley({ PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' });
const receiver = useReceiver();
const db = () => parley.database.db;

const drain = () => parley.app.deps.outbox.drain();

async function setUp(events: readonly string[] = EVENT_TYPES) {
  const site = await buildSite(db(), { settings: { flagThreshold: 1 } });
  const admin = await member(parley, [[site.id, 'admin']], 'admin', { name: 'Ada Admin' });
  const created = await admin.call('post', `/sites/${site.id}/webhooks`, { url: receiver.url, events, description: 'CMS' });
  expect(created.status).toBe(201);
  expect(created.body.secret).toMatch(/^whsec_/);
  return { site, admin, webhook: created.body.webhook as { id: string }, secret: created.body.secret as string };
}

async function resolveThread(siteId: string, key: string) {
  const res = await parley.http().post('/api/v1/threads/resolve').set('Origin', SITE_ORIGIN).send({ site: siteId, key, url: `${SITE_ORIGIN}/a/${key}` });
  expect(res.status).toBeLessThan(300);
  return res.body.thread.id as string;
}

async function post(threadId: string, body: string, name = 'Reader') {
  const res = await parley.http().post(`/api/v1/threads/${threadId}/comments`).send({ body, name });
  expect(res.status).toBe(201);
  return { id: res.body.comment.id as string, token: res.body.commenterToken as string };
}

const bodies = () => receiver.received.map((r) => JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, any> });

describe('webhooks a receiver can trust', () => {
  it('delivers every event type, each verified by the official standardwebhooks library, with public views only', async () => {
    const { site, admin, secret } = await setUp();
    const threadId = await resolveThread(site.id, 'every-event');
    const a = await post(threadId, 'The first word.');
    const b = await post(threadId, 'A second opinion.');
    const c = await post(threadId, 'Something rude.');
    const d = await post(threadId, 'Buy cheap watches.');
    const decide = (id: string, action: string) => admin.call('post', `/moderation/comments/${id}/decision`, { action });

    expect((await parley.http().post(`/api/v1/comments/${a.id}/flags`).set('Authorization', `Bearer ${b.token}`).send({ reason: 'other' })).status).toBe(201);
    expect((await decide(a.id, 'approve')).status).toBe(200);
    expect((await decide(a.id, 'feature')).status).toBe(200);
    expect((await parley.http().patch(`/api/v1/comments/${a.id}`).set('Authorization', `Bearer ${a.token}`).send({ body: 'The first word, edited.' })).status).toBe(200);
    expect((await parley.http().delete(`/api/v1/comments/${b.id}`).set('Authorization', `Bearer ${b.token}`)).status).toBeLessThan(300);
    expect((await decide(c.id, 'reject')).status).toBe(200);
    expect((await decide(d.id, 'spam')).status).toBe(200);
    expect((await decide(d.id, 'approve')).status).toBe(200);
    const poll = await admin.call('post', `/threads/${threadId}/polls`, { question: 'Agree?', options: ['Yes', 'No'] });
    expect(poll.status).toBe(201);
    expect((await admin.call('patch', `/polls/${poll.body.poll?.id ?? poll.body.id}`, { closed: true })).status).toBe(200);
    expect((await admin.call('patch', `/threads/${threadId}`, { state: 'closed' })).status).toBe(200);
    expect((await admin.call('patch', `/threads/${threadId}`, { state: 'open' })).status).toBe(200);
    expect((await admin.call('post', '/moderation/bans', { site: site.id, commentId: c.id, reason: 'rude' })).status).toBe(201);
    await drain();
    // The erasure removes what is still queued about that reader, so what came before is out first.
    expect((await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${d.token}`)).status).toBeLessThan(300);
    await drain();

    const seen = new Set(bodies().map((b) => b.type));
    expect([...EVENT_TYPES].filter((t) => !seen.has(t))).toEqual([]);
    const wh = new Webhook(secret);
    for (const r of receiver.received) {
      const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
      expect(wh.verify(r.body, headers)).toEqual(JSON.parse(r.body));
    }
    const all = receiver.received.map((r) => r.body).join('\n');
    expect(all).not.toMatch(/email|ip_hash|ipHash|networkHash|ct_[\w-]{20}/);
    expect(all).not.toContain(a.token);
    const created = bodies().find((x) => x.type === 'comment.created' && x.data.comment.id === a.id)!;
    expect(created.data.comment).toMatchObject({ id: a.id, threadId, author: { name: 'Reader' }, bodyHtml: expect.stringContaining('The first word.') });
  });

  it('a delivery replayed after 5 minutes fails verification', async () => {
    const { site, secret } = await setUp(['thread.created']);
    await resolveThread(site.id, 'replayed');
    await drain();
    const r = receiver.received[0]!;
    const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
    const wh = new Webhook(secret);
    expect(wh.verify(r.body, headers)).toMatchObject({ type: 'thread.created' });
    // The same request, arriving at the receiver five minutes and a second later.
    const realNow = Date.now;
    Date.now = () => realNow() + 5 * 60_000 + 1000;
    try {
      expect(() => wh.verify(r.body, headers)).toThrow(/timestamp/i);
    } finally {
      Date.now = realNow;
    }
  });

  it('after a rotation both secrets sign for 24 h, then only the new one', async () => {
    const { site, admin, webhook, secret: old } = await setUp(['thread.created']);
    const rotated = await admin.call('post', `/sites/${site.id}/webhooks/${webhook.id}/rotate`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(old);
    await resolveThread(site.id, 'rotated-1');
    await drain();
    const verify = (secret: string, i: number) => {
      const r = receiver.received[i]!;
      return new Webhook(secret).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) });
    };
    expect(String(receiver.received[0]!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(old, 0)).toBeTruthy();
    expect(verify(fresh, 0)).toBeTruthy();
    parley.app.deps.clock.advance(24 * 3_600_000 + 60_000);
    await resolveThread(site.id, 'rotated-2');
    await drain();
    expect(verify(fresh, 1)).toBeTruthy();
    expect(() => verify(old, 1)).toThrow();
    const list = await admin.call('get', `/sites/${site.id}/webhooks`);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
  });

  it('a receiver answering 500 for an hour gets every event afterwards, in order per thread, each webhook-id present', async () => {
    const { site } = await setUp(['comment.created']);
    const clock = parley.app.deps.clock;
    const recoversAt = clock.now().getTime() + 3_600_000;
    receiver.setAnswer(() => (clock.now().getTime() < recoversAt ? 500 : 204));
    const threads = [await resolveThread(site.id, 'busy-1'), await resolveThread(site.id, 'busy-2')];
    const posted: Record<string, string[]> = { [threads[0]!]: [], [threads[1]!]: [] };
    for (let i = 0; i < 6; i++) {
      for (const t of threads) posted[t]!.push((await post(t, `Comment ${i} on ${t}`)).id);
    }
    for (let minutes = 0; minutes <= 4 * 60; minutes += 5) {
      await drain();
      clock.advance(5 * 60_000);
    }
    await drain();
    const ok = receiver.received.filter((r) => r.status === 204);
    const ids = new Set(ok.map((r) => String(r.headers['webhook-id'])));
    expect(ids.size).toBe(12);
    expect(receiver.received.some((r) => r.status === 500)).toBe(true);
    for (const t of threads) {
      const order = ok.map((r) => JSON.parse(r.body).data.comment).filter((c) => c.threadId === t).map((c) => c.id);
      expect([...new Set(order)]).toEqual(posted[t]);
    }
    const queued = await db().selectFrom('outbox').select('id').where('kind', '=', 'webhook').where('done_at', 'is', null).execute();
    expect(queued).toEqual([]);
  });

  it('a poll closed by its closing time sends poll.closed at that time, once; one closed by hand earlier sends it only then', async () => {
    const { site, admin } = await setUp(['poll.closed']);
    const threadId = await resolveThread(site.id, 'polls-on-time');
    const clock = parley.app.deps.clock;
    const closesAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const create = (question: string) => admin.call('post', `/threads/${threadId}/polls`, { question, options: ['Yes', 'No'], closesAt });
    const timed = (await create('On time?')).body.poll;
    const byHand = (await create('By hand?')).body.poll;
    expect([timed?.id, byHand?.id]).toEqual([expect.any(String), expect.any(String)]);

    clock.advance(30 * 60_000);
    expect((await admin.call('patch', `/polls/${byHand.id}`, { closed: true })).status).toBe(200);
    await drain();
    expect(bodies().map((b) => [b.type, b.data.poll.id])).toEqual([['poll.closed', byHand.id]]);

    clock.advance(31 * 60_000);
    await drain();
    const closed = bodies().filter((b) => b.data.poll.id === timed.id);
    expect(closed).toHaveLength(1);
    expect(closed[0]!.data.poll).toMatchObject({ id: timed.id, closedAt: new Date(closesAt).toISOString() });
    expect(bodies().filter((b) => b.data.poll.id === byHand.id)).toHaveLength(1);
    const vote = await parley.http().put(`/api/v1/polls/${timed.id}/vote`).send({ optionIds: [timed.options[0].id] });
    expect(vote.status).toBe(409);

    clock.advance(24 * 3_600_000);
    await drain();
    expect(bodies()).toHaveLength(2);
  });
});
