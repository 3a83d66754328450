import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { hashSecret } from '../../server/ids';
import { buildSite, buildThread } from '../helpers/factories';
import { commenterIdOf, postAs, scanDatabase, startPrivacyParley, type PrivacyParley } from './helpers';

/** A real SMTP server on a loopback port, keeping every message it receives. */
interface Received {
  to: string[];
  raw: string;
}
let mails: Received[] = [];
let smtp: SMTPServer;
let parley: PrivacyParley;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  parley = await startPrivacyParley({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'The Daily Example <privacy@news.example>' });
});
afterAll(async () => {
  await parley.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});
beforeEach(async () => {
  await parley.reset();
  mails = [];
});

/** The text of a message, with quoted-printable undone. */
function textOf(mail: Received): string {
  const body = mail.raw.replace(/=\r?\n/g, '');
  const bytes = Buffer.from(body.replace(/=([0-9A-F]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  return bytes.toString('utf8');
}
const linkIn = (mail: Received) => /http:\/\/parley\.test(\/api\/v1\/privacy\/link\?token=(pl_[\w-]+))/.exec(textOf(mail))!;

async function waitForMail(count: number) {
  const deadline = Date.now() + 5000;
  while (mails.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 150)); // and no more than that
}

let nextIp = 1;
const ask = (body: Record<string, unknown>, accept?: string) => {
  let req = parley.http().post('/api/v1/privacy/requests').set('X-Forwarded-For', `192.0.2.${nextIp++}`);
  if (accept) req = req.set('Accept', accept);
  return req.send(body);
};

async function commenterOnSite(email: string, name = 'Rich') {
  const site = await buildSite(parley.db, { id: `site-${nextIp}`, settings: { locale: 'en' } });
  const thread = await buildThread(parley.db, site.id);
  const res = await postAs(parley, thread.id, { body: 'Clearview has to delete French data.', name, email }, { ip: '203.0.113.20' });
  return { site, thread, token: res.body.commenterToken as string, commentId: res.body.comment.id as string };
}

describe('lost token, with a mail transport', () => {
  it('answers the same whether or not the address is known, and mails a link only to a known one', async () => {
    const { site } = await commenterOnSite('rich@example.com');
    const known = await ask({ site: site.id, email: 'Rich@Example.com', kind: 'export' });
    const unknown = await ask({ site: site.id, email: 'nobody@example.com', kind: 'export' });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    expect(known.body.request).toMatchObject({ status: 'received', delivery: 'mail' });

    await waitForMail(1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to.map((a) => a.toLowerCase())).toEqual(['rich@example.com']);
    expect(mails[0]!.raw).toMatch(/^From: The Daily Example <privacy@news\.example>/m);
    expect(textOf(mails[0]!)).toMatch(/download the comment data The Daily Example holds/);
    const [, , token] = linkIn(mails[0]!);
    // Only the link's hash is stored; the unknown address is stored nowhere.
    expect(await scanDatabase(parley.db, [token!])).toEqual([]);
    expect(await scanDatabase(parley.db, [hashSecret(token!)])).toEqual([{ table: 'privacy_requests', column: 'token_hash', needle: hashSecret(token!) }]);
    expect(await scanDatabase(parley.db, ['nobody@example.com'])).toEqual([]);
  });

  it('does not mail again for a repeated ask, so the form cannot be used to flood a mailbox', async () => {
    const { site } = await commenterOnSite('rich@example.com');
    for (let i = 0; i < 3; i++) expect((await ask({ site: site.id, email: 'rich@example.com', kind: 'erase' })).status).toBe(202);
    await waitForMail(1);
    expect(mails).toHaveLength(1);
  });

  it('exports through the link: GET only shows the page, POST downloads once', async () => {
    const { site, commentId } = await commenterOnSite('rich@example.com');
    await ask({ site: site.id, email: 'rich@example.com', kind: 'export' });
    await waitForMail(1);
    const [, path, token] = linkIn(mails[0]!);

    const page = await parley.http().get(path!).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<form method="post" action="/api/v1/privacy/link?token=' + token);
    expect(page.text).toContain('Download my data');
    const json = await parley.http().get(path!);
    expect(json.body.request).toMatchObject({ kind: 'export', site: { id: site.id, name: 'The Daily Example' } });
    // Looking changed nothing: the link still works.
    const done = await parley.http().post(path!);
    expect(done.status).toBe(200);
    expect(done.headers['content-disposition']).toMatch(/^attachment; filename="parley-export-/);
    expect(done.body.export.identities).toHaveLength(1);
    expect(done.body.export.identities[0].comments.map((c: { id: string }) => c.id)).toEqual([commentId]);
    expect(done.body.export.identities[0].commenter.email).toBe('rich@example.com');

    const again = await parley.http().post(path!);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('link_expired');
    // The request remembers that it was done, not for whom.
    const rows = await parley.db.selectFrom('privacy_requests').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ status: 'done', email: null, token_hash: null, completed_by: 'link', outcome: { identities: 1, comments: 1 } })]);
  });

  it('erases through the link, on that site only, and leaves no trace of the address', async () => {
    const { site, thread, token: commenterToken, commentId } = await commenterOnSite('marie@example.fr', 'Marie');
    const otherSite = await buildSite(parley.db, { id: 'other-paper' });
    const otherThread = await buildThread(parley.db, otherSite.id);
    const elsewhere = await postAs(parley, otherThread.id, { body: 'On another paper' }, { token: commenterToken });
    await ask({ site: site.id, email: 'marie@example.fr', kind: 'erase' });
    await waitForMail(1);
    const [, path] = linkIn(mails[0]!);
    expect(textOf(mails[0]!)).toMatch(/erase the comment data/);

    const page = await parley.http().get(path!).set('Accept', 'text/html');
    expect(page.text).toContain('Erase my data');
    expect(await commenterIdOf(parley.db, commentId)).not.toBeNull();

    const done = await parley.http().post(path!).set('Accept', 'text/html');
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your data has been erased.');
    const row = await parley.db.selectFrom('comments').selectAll().where('id', '=', commentId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'deleted', commenter_id: null, author_name: null, body_src: '' });
    // The other publisher's comment is that publisher's business: untouched, and so is the identity.
    expect(await commenterIdOf(parley.db, elsewhere.body.comment.id)).not.toBeNull();
    const list = await parley.http().get(`/api/v1/threads/${thread.id}/comments`);
    expect(list.body.items).toEqual([]);
  });

  it('erases the identity entirely when the site was all it had', async () => {
    const { site, token } = await commenterOnSite('solo@example.com', 'Solo Reader');
    await ask({ site: site.id, email: 'solo@example.com', kind: 'erase' });
    await waitForMail(1);
    const [, path] = linkIn(mails[0]!);
    const done = await parley.http().post(path!);
    expect(done.body.erasure).toEqual([expect.objectContaining({ erased: true, comments: 1, commenterRemoved: true })]);
    expect(parley.events('commenter.revoked')).toHaveLength(1);
    expect(await scanDatabase(parley.db, ['solo@example.com', 'Solo Reader', hashSecret(token)])).toEqual([]);
    expect((await parley.http().get('/api/v1/me/export').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('refuses an expired, unknown or malformed link', async () => {
    const { site } = await commenterOnSite('rich@example.com');
    await ask({ site: site.id, email: 'rich@example.com', kind: 'erase' });
    await waitForMail(1);
    const [, path] = linkIn(mails[0]!);
    await parley.db.updateTable('privacy_requests').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    expect((await parley.http().get(path!)).status).toBe(410);
    expect((await parley.http().post(path!)).status).toBe(410);
    expect((await parley.http().post('/api/v1/privacy/link?token=pl_' + 'x'.repeat(32))).status).toBe(410);
    const bad = await parley.http().post('/api/v1/privacy/link?token=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('validates the request and stores nothing for bad input', async () => {
    const { site } = await commenterOnSite('rich@example.com');
    for (const body of [{ site: site.id, email: 'not-an-email', kind: 'export' }, { site: site.id, email: 'rich@example.com', kind: 'delete' }, { email: 'rich@example.com', kind: 'export' }]) {
      const res = await ask(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await ask({ site: 'no-such-site', email: 'rich@example.com', kind: 'export' })).status).toBe(404);
    expect(await parley.db.selectFrom('privacy_requests').selectAll().execute()).toEqual([]);
  });

  it('limits how often one network may ask', async () => {
    const { site } = await commenterOnSite('rich@example.com');
    const from = (n: number) => parley.http().post('/api/v1/privacy/requests').set('X-Forwarded-For', '198.51.100.99').send({ site: site.id, email: `x${n}@example.com`, kind: 'export' });
    for (let i = 0; i < 5; i++) expect((await from(i)).status).toBe(202);
    const limited = await from(6);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
