import { createLiveClient, type LiveStatus } from '../../client/shared/live';
import { buildSite, buildThread } from '../helpers/factories';
import { startLiveParley, waitFor } from './helpers';

describe('shutdown', () => {
  it('stops accepting, sends live clients elsewhere, and finishes the write in flight', async () => {
    const parley = await startLiveParley();
    const db = parley.database.db;
    const site = await buildSite(db);
    const thread = await buildThread(db, site.id);

    const disconnects: string[] = [];
    const client = createLiveClient({ url: parley.url, socket: { reconnectionDelay: 200 } });
    const statuses: LiveStatus[] = [];
    client.follow(thread.id, { since: 0, onEvent: () => {}, onResync: () => {}, onStatus: (s) => statuses.push(s) });
    await waitFor(() => statuses.includes('live'));

    // Hold the thread so the next post is still running when the shutdown starts.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.transaction().execute(async (trx) => {
      await trx.selectFrom('threads').select('id').where('id', '=', thread.id).forUpdate().execute();
      locked();
      await held;
    });
    await isLocked;
    const inFlight = fetch(`${parley.url}/api/v1/threads/${thread.id}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ body: 'posted just before the shutdown' }),
    });
    await new Promise((r) => setTimeout(r, 300));

    const closing = parley.app.close(10_000);
    // Live clients are told to go (a transport close, which they answer by reconnecting)...
    await waitFor(() => statuses.includes('offline'), 3000, 'the live client to be let go');
    // ...and nobody new gets in.
    await expect(fetch(`${parley.url}/healthz`)).rejects.toThrow();

    release();
    await holder;
    const res = await inFlight;
    expect(res.status).toBe(201);
    const { comment } = (await res.json()) as { comment: { id: string } };
    // Well before the 10 s grace: nothing lingers once the write is answered.
    const started = Date.now();
    await closing;
    expect(Date.now() - started).toBeLessThan(2000);
    const stored = await db.selectFrom('comments').select('id').where('id', '=', comment.id).execute();
    expect(stored).toHaveLength(1);
    client.close();
    await parley.database.close();
  });
});
