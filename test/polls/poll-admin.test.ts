import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { apiKey, bearerCaller, type Caller, member } from '../helpers/staff';

const parley = useParley();

const poll = { question: 'How would you resolve this stand-off?', options: ['A wave of the wand', 'A stroke of the pen'] };

describe('poll administration over HTTP', () => {
  it('lets journalists, moderators, admins and the site’s API key create polls; nobody else', async () => {
    const db = parley.database.db;
    const site = await buildSite(db);
    const other = await buildSite(db);
    const thread = await buildThread(db, site.id);
    const callers: Array<[Caller, number]> = [
      [await member(parley, [[site.id, 'journalist']], 'journalist'), 201],
      [await member(parley, [[site.id, 'moderator']], 'moderator'), 201],
      [await member(parley, [[site.id, 'admin']], 'admin'), 201],
      [await apiKey(parley, site.id, 'site key'), 201],
      [await member(parley, [[other.id, 'admin']], 'admin of another site'), 404],
      [await apiKey(parley, other.id, 'another site’s key'), 404],
      [bearerCaller(parley, null, 'anonymous'), 401],
    ];
    for (const [caller, status] of callers) {
      const res = await caller.call('post', `/threads/${thread.id}/polls`, poll);
      expect({ who: caller.label, status: res.status }).toEqual({ who: caller.label, status });
    }
    const t = await parley.http().get(`/api/v1/threads/${thread.id}`);
    expect(t.body.thread.polls).toHaveLength(4);
  });

  it('closes and reopens a poll, announcing it to live readers with the next seq', async () => {
    const db = parley.database.db;
    const site = await buildSite(db);
    const thread = await buildThread(db, site.id);
    const journalist = await member(parley, [[site.id, 'journalist']], 'journalist');
    const created = await journalist.call('post', `/threads/${thread.id}/polls`, { ...poll, visibility: 'after_close' });
    expect(created.status).toBe(201);
    const id = created.body.poll.id;
    const closed = await journalist.call('patch', `/polls/${id}`, { closed: true });
    expect(closed.body.poll.state).toBe('closed');
    const reopened = await journalist.call('patch', `/polls/${id}`, { closed: false, question: 'Reopened: how would you resolve it?' });
    expect(reopened.body.poll).toMatchObject({ state: 'open', question: 'Reopened: how would you resolve it?' });
    const events = await db.selectFrom('thread_events').select(['seq', 'event']).where('thread_id', '=', thread.id).orderBy('seq').execute();
    expect(events).toEqual([
      { seq: 1, event: 'thread:updated' },
      { seq: 2, event: 'thread:updated' },
      { seq: 3, event: 'thread:updated' },
    ]);
  });

  it('refuses invalid polls with 400 and stores nothing', async () => {
    const db = parley.database.db;
    const site = await buildSite(db);
    const thread = await buildThread(db, site.id);
    const key = await apiKey(parley, site.id);
    const bad = await key.call('post', `/threads/${thread.id}/polls`, { question: '', options: ['one'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['options', 'question']);
    expect(await db.selectFrom('polls').selectAll().execute()).toHaveLength(0);
  });
});
