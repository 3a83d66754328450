import dns from 'node:dns/promises';
import os from 'node:os';
import { isInternalAddress } from '../../server/address';
import { postOut } from '../../server/webhooks/webhook.send';
import { buildSite } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { member } from '../helpers/staff';
import { startReceiver } from './receiver';

let parley: TestParley;
beforeAll(async () => {
  parley = await startTestParley(); // without PARLEY_WEBHOOKS_ALLOW_PRIVATE
});
afterAll(() => parley.close());
beforeEach(() => parley.reset());

describe('webhook destinations without the allow flag', () => {
  it.each(['https://127.0.0.1/hook', 'https://10.0.0.1/hook', 'https://169.254.169.254/latest/meta-data', 'https://[::ffff:127.0.0.1]/hook', 'https://localhost/hook', 'http://hooks.example.com/x'])(
    'refuses %s when the endpoint is created',
    async (url) => {
      const site = await buildSite(parley.database.db);
      const admin = await member(parley, [[site.id, 'admin']], 'admin');
      const res = await admin.call('post', `/sites/${site.id}/webhooks`, { url, events: ['comment.created'] });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: 'url' });
      expect(await parley.database.db.selectFrom('webhook_endpoints').selectAll().execute()).toEqual([]);
    },
  );

  it('refuses, when connecting, a name that resolves to an internal address (as DNS rebinding would)', async () => {
    const name = os.hostname();
    const addresses = await dns.lookup(name, { all: true });
    // Precondition: the machine's own name resolves inside (loopback or a private network).
    expect(addresses.some((a) => isInternalAddress(a.address))).toBe(true);
    const receiver = await startReceiver();
    try {
      const port = new URL(receiver.url).port;
      const result = await postOut(`https://${name}:${port}/hooks`, {}, '{}', false);
      expect(result.status).toBeNull();
      expect(result.error).toMatch(/may not connect/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('knows the internal ranges, IPv4-mapped IPv6 included', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '192.168.1.1', '172.16.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '::ffff:10.0.0.1']) {
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['93.184.216.34', '2606:2800:220:1::1']) expect([a, isInternalAddress(a)]).toEqual([a, false]);
  });
});
