import { buildSite, SITE_ORIGIN } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { member } from '../helpers/staff';
import * as webhookRepo from '../../server/webhooks/webhook.repo';
import { useReceiver } from './receiver';

/**
 * A post on a site without webhook endpoints asks nothing of the endpoints table and writes no
 * webhook row (the site's count of enabled endpoints is read with the thread's lock); the count
 * follows every create, disable, enable, delete and switch-off, so a site with endpoints still gets
 * every event.
 */
const parley = useParley({ PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' });
const receiver = useReceiver();
const db = () => parley.database.db;

async function thread(siteId: string, key: string) {
  const res = await parley.http().post('/api/v1/threads/resolve').set('Origin', SITE_ORIGIN).send({ site: siteId, key, url: `${SITE_ORIGIN}/a/${key}` });
  expect(res.status).toBeLessThan(300);
  return res.body.thread.id as string;
}

async function post(threadId: string, body: string) {
  const res = await parley.http().post(`/api/v1/threads/${threadId}/comments`).send({ body, name: 'Reader' });
  expect(res.status).toBe(201);
  return res.body.comment.id as string;
}

const webhookRows = async (siteId: string) =>
  (await db().selectFrom('outbox').select('id').where('kind', '=', 'webhook').where('site_id', '=', siteId).execute()).length;
const counted = async (siteId: string) => (await db().selectFrom('sites').select('webhook_endpoints').where('id', '=', siteId).executeTakeFirstOrThrow()).webhook_endpoints;
const delivered = () => receiver.received.map((r) => JSON.parse(r.body).data.comment.id as string);

describe('sites without webhook endpoints', () => {
  it('post without asking for endpoints, while a site with one gets each of its comments', async () => {
    const quiet = await buildSite(db());
    const wired = await buildSite(db());
    const admin = await member(parley, [[wired.id, 'admin']], 'admin');
    const created = await admin.call('post', `/sites/${wired.id}/webhooks`, { url: receiver.url, events: ['comment.created'] });
    expect(created.status).toBe(201);
    const path = `/sites/${wired.id}/webhooks/${created.body.webhook.id}`;
    expect([await counted(quiet.id), await counted(wired.id)]).toEqual([0, 1]);
    const [quietThread, wiredThread] = [await thread(quiet.id, 'quiet'), await thread(wired.id, 'wired')];

    const asked = jest.spyOn(webhookRepo, 'enabledEndpoints');
    try {
      await Promise.all([post(quietThread, 'Nobody listens.'), post(quietThread, 'Still nobody.')]);
      expect(asked).not.toHaveBeenCalled();
      expect(await webhookRows(quiet.id)).toBe(0);

      const first = [await post(wiredThread, 'Someone listens.'), await post(wiredThread, 'And again.')];
      expect(asked).toHaveBeenCalledWith(expect.anything(), wired.id);
      await parley.app.deps.outbox.drain();
      expect(delivered()).toEqual(first);

      // Switched off by an admin: the site counts none, and its posts ask nothing.
      expect((await admin.call('patch', path, { enabled: false })).status).toBe(200);
      expect(await counted(wired.id)).toBe(0);
      asked.mockClear();
      await post(wiredThread, 'Unheard.');
      expect(asked).not.toHaveBeenCalled();

      // On again: the next comment is told.
      expect((await admin.call('patch', path, { enabled: true })).status).toBe(200);
      expect(await counted(wired.id)).toBe(1);
      const next = await post(wiredThread, 'Heard again.');
      await parley.app.deps.outbox.drain();
      expect(delivered()).toEqual([...first, next]);

      // A second endpoint created switched off, then the first deleted: none left that is on.
      const off = await admin.call('post', `/sites/${wired.id}/webhooks`, { url: receiver.url, events: ['comment.created'], enabled: false });
      expect(off.status).toBe(201);
      expect(await counted(wired.id)).toBe(1);
      expect((await admin.call('delete', path)).status).toBe(200);
      expect(await counted(wired.id)).toBe(0);
      asked.mockClear();
      const rowsBefore = await webhookRows(wired.id);
      await post(wiredThread, 'Unheard once more.');
      expect(asked).not.toHaveBeenCalled();
      expect(await webhookRows(wired.id)).toBe(rowsBefore);
    } finally {
      asked.mockRestore();
    }
  });
});
