import { CreatePollSchema } from '../../server/polls/poll.schema';
import { createPoll } from '../../server/polls/poll.service';
import { createNetworkHasher, networkOf, utcDay } from '../../server/privacy/network';
import { runRetention } from '../../server/privacy/retention.service';
import { buildSite, buildThread } from '../helpers/factories';
import { postAs, scanDatabase } from './helpers';
import { useParley } from '../helpers/parley';

const parley = useParley({ TRUST_PROXY: 'loopback' }, { capture: true });

const DAY = 86_400_000;
const V4 = '203.0.113.66';
const V6 = '2001:db8:85a3::8a2e:370:7334';

describe('network addresses', () => {
  it('are found nowhere in the database or the logs after requests of every kind', async () => {
    const site = await buildSite(parley.db);
    const thread = await buildThread(parley.db, site.id);
    for (const ip of [V4, V6]) {
      const ok = await postAs(parley, thread.id, { body: 'How would you resolve this stand-off?' }, { ip });
      expect(ok.status).toBe(201);
      expect(JSON.stringify(ok.body)).not.toContain(ip);
      expect((await postAs(parley, thread.id, { body: '' }, { ip })).status).toBe(400);
      expect((await postAs(parley, thread.id, { body: 'x' }, { ip, token: 'ct_not-a-real-token-at-all-000000000' })).status).toBe(401);
      expect((await parley.http().get('/api/v1/nowhere').set('X-Forwarded-For', ip)).status).toBe(404);
      expect((await parley.http().post('/api/v1/privacy/requests').set('X-Forwarded-For', ip).send({ site: site.id, email: 'a@example.com', kind: 'export' })).status).toBe(202);
    }
    const stored = await parley.db.selectFrom('comments').select('ip_hash').execute();
    expect(stored.map((r) => r.ip_hash)).toEqual([expect.stringMatching(/^\d{4}-\d{2}-\d{2}:[\w-]{32}$/), expect.stringMatching(/^\d{4}-\d{2}-\d{2}:/)]);

    const needles = [V4, '2001:db8:85a3', '2001:0db8', networkOf(V6), '203.0.113'];
    expect(await scanDatabase(parley.db, needles)).toEqual([]);
    const logs = parley.logs();
    expect(logs.length).toBeGreaterThan(500); // the requests were logged…
    for (const needle of [...needles, '127.0.0.1', 'x-forwarded-for']) expect(logs.toLowerCase()).not.toContain(needle.toLowerCase()); // …without any address
  });

  it('reduces IPv6 to its /64, so a ban cannot be dodged by changing the last bits', async () => {
    const hasher = parley.app.deps.network;
    expect(await hasher.hash('2001:db8:85a3:0:1::1')).toBe(await hasher.hash('2001:db8:85a3::ffff:ffff'));
    expect(await hasher.hash('2001:db8:85a3:1::1')).not.toBe(await hasher.hash('2001:db8:85a3::1'));
    expect(await hasher.hash('::ffff:203.0.113.66')).toBe(await hasher.hash(V4));
  });

  it('keeps flood checks working across the daily rotation', async () => {
    const site = await buildSite(parley.db);
    const thread = await buildThread(parley.db, site.id);
    const hasher = parley.app.deps.network;
    const now = new Date();
    const yesterday = new Date(now.getTime() - DAY);
    // A comment made late yesterday, hashed under yesterday's secret.
    const res = await postAs(parley, thread.id, { body: 'posted just before midnight' }, { ip: V4 });
    await parley.db
      .updateTable('comments')
      .set({ ip_hash: await hasher.hash(V4, yesterday), created_at: yesterday })
      .where('id', '=', res.body.comment.id)
      .execute();

    // Today's hash alone no longer matches it: the secret rotated.
    expect(await hasher.hash(V4, now)).not.toBe(await hasher.hash(V4, yesterday));
    const fromNetwork = async (ip: string) =>
      parley.db.selectFrom('comments').select('id').where('ip_hash', 'in', await hasher.recentHashes(ip, now)).execute();
    expect(await fromNetwork(V4)).toEqual([{ id: res.body.comment.id }]);
    expect(await fromNetwork('198.51.100.7')).toEqual([]);

    // Another instance on the same database hashes alike (the secrets are shared through the database).
    const other = createNetworkHasher(parley.db);
    expect(await other.recentHashes(V4, now)).toEqual(await hasher.recentHashes(V4, now));
    // A deployment secret makes the hashes its own: a copy of the database alone cannot test guesses.
    const peppered = createNetworkHasher(parley.db, { pepper: 'x'.repeat(40) });
    expect(await peppered.hash(V4, now)).not.toBe(await hasher.hash(V4, now));
  });

  it('matches a ban made last week, until that day’s secret is destroyed by retention', async () => {
    await buildSite(parley.db, { settings: { retentionDays: 30 } });
    const hasher = parley.app.deps.network;
    const now = new Date();
    const lastWeek = await hasher.hash(V4, new Date(now.getTime() - 7 * DAY));
    const longAgo = await hasher.hash(V4, new Date(now.getTime() - 40 * DAY));
    const fresh = () => createNetworkHasher(parley.db); // no cache: what any instance sees after a restart

    expect(await fresh().hashesWithin(V4, 60, now)).toEqual(expect.arrayContaining([lastWeek, longAgo]));
    expect(await fresh().hashesWithin('198.51.100.7', 60, now)).not.toContain(lastWeek);

    const report = await runRetention({ db: parley.db, network: hasher }, now);
    expect(report.hashKeys).toBe(1);
    expect(report.keysKeptFrom).toBe(utcDay(new Date(now.getTime() - 31 * DAY)));
    const days = (await parley.db.selectFrom('hash_keys').select('day').orderBy('day').execute()).map((r) => r.day);
    expect(days).not.toContain(longAgo!.slice(0, 10));
    // The 40-day-old hash can no longer be linked to the address, by this instance or any other.
    for (const h of [hasher, fresh()]) {
      const within = await h.hashesWithin(V4, 60, now);
      expect(within).toContain(lastWeek);
      expect(within).not.toContain(longAgo);
    }
    // A lookup never brings a destroyed day back.
    expect((await parley.db.selectFrom('hash_keys').select('day').execute()).length).toBe(days.length);
  });

  it('keeps a poll’s per-network cap across the daily rotation', async () => {
    const site = await buildSite(parley.db);
    const thread = await buildThread(parley.db, site.id);
    const poll = await createPoll(
      parley.app.deps,
      { memberId: null, canManage: async () => true },
      thread.id,
      CreatePollSchema.parse({ question: 'How would you resolve this stand-off?', options: ['A wave of the wand', 'A stroke of the pen'], networkCap: 2 }),
    );
    const vote = (ip: string, token?: string) => {
      let req = parley.http().put(`/api/v1/polls/${poll.id}/vote`).set('X-Forwarded-For', ip);
      if (token) req = req.set('Authorization', `Bearer ${token}`);
      return req.send({ optionIds: [poll.options[0]!.id] });
    };
    const first = await vote(V4);
    const second = await vote(V4);
    expect([first.status, second.status]).toEqual([200, 200]);
    // Both were cast yesterday, under yesterday's secret.
    const yesterday = await parley.app.deps.network.hash(V4, new Date(Date.now() - DAY));
    await parley.db.updateTable('poll_ballots').set({ ip_hash: yesterday, created_at: new Date(Date.now() - DAY) }).execute();

    const today = await vote(V4);
    expect(today.status).toBe(403);
    expect(today.body.error.code).toBe('network_vote_limit');
    // Another network may still vote, and a reader who voted may still change their mind.
    expect((await vote('198.51.100.7')).status).toBe(200);
    expect((await vote(V4, first.body.commenterToken)).status).toBe(200);
  });
});
