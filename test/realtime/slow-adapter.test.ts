import { createLiveClient, type LiveClient, type LiveStatus, type ThreadEvent } from '../../client/shared/live';
import type { DatabaseHandle } from '../../server/db';
import { describeOnPostgres, openTestDatabase } from '../helpers/db';
import { buildSite, buildThread } from '../helpers/factories';
import { type LiveParley, startLiveParley, waitFor } from './helpers';

/**
 * Cross-instance delivery can be slow (a busy database, a long queue of NOTIFYs): here every NOTIFY
 * the Postgres adapter sends is held back 800 ms, so broadcasts arrive after the joins and replays
 * that already covered them. The reader must still see each change once, in order, and never a
 * comment from before the page it loaded.
 */
describeOnPostgres('slow cross-instance delivery', () => {
  let database: DatabaseHandle;
  let parley: LiveParley;
  let client: LiveClient | undefined;

  beforeAll(async () => {
    database = await openTestDatabase();
    const pool = database.pool!;
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) =>
      typeof args[0] === 'string' && args[0].includes('pg_notify')
        ? new Promise((resolve) => setTimeout(resolve, 800)).then(() => query(...args))
        : query(...args);
    parley = await startLiveParley({ database, env: { PARLEY_RATE_LIMITS: 'off' } });
  });
  afterAll(async () => {
    client?.close();
    await parley.close();
    await database.close();
  });

  it('delivers each change once and in order, and nothing from before the loaded page', async () => {
    const site = await buildSite(database.db);
    const thread = await buildThread(database.db, site.id);
    const post = (body: string, token?: string) => {
      let req = parley.http().post(`/api/v1/threads/${thread.id}/comments`).set('Content-Type', 'application/json');
      if (token) req = req.set('Authorization', `Bearer ${token}`);
      return req.send({ body });
    };
    const first = (await post('mine')).body;
    const page = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(page.body.seq).toBe(1);

    // The page shows comment 1; its broadcast is still on its way.
    let rejected = 0;
    client = createLiveClient({ url: parley.url, token: first.commenterToken, onTokenRejected: () => (rejected += 1), socket: { reconnectionDelay: 100 } });
    const events: ThreadEvent[] = [];
    const statuses: LiveStatus[] = [];
    client.follow(thread.id, { since: page.body.seq, onEvent: (e) => events.push(e), onResync: () => {}, onStatus: (s) => statuses.push(s) });
    await waitFor(() => statuses.includes('live'));

    // Erasure: the removal's broadcast is slow, the disconnect is not; the re-join replays the removal.
    expect((await parley.http().delete('/api/v1/me').set('Authorization', `Bearer ${first.commenterToken}`)).status).toBe(200);
    await waitFor(() => rejected === 1 && statuses.filter((s) => s === 'live').length === 2, 5000, 'the anonymous re-join');
    const later = (await post('someone else')).body;
    await waitFor(() => events.length === 2, 5000, 'two events');
    await new Promise((r) => setTimeout(r, 1500)); // every held-back broadcast has landed by now
    expect(events.map((e) => [e.event, e.payload.seq])).toEqual([
      ['comment:removed', 2],
      ['comment:created', 3],
    ]);
    expect((events[1]!.payload as { comment: { id: string } }).comment.id).toBe(later.comment.id);
  });
});
