import { startTestParley, type TestParley } from '../helpers/parley';
import { buildThread, postComment } from '../helpers/factories';
import { call } from '../helpers/reader';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { login, signFor, ssoScene, type SsoScene } from './helpers';

/**
 * `email_verified` (SPEC §13): an address the publisher vouched for is mailed without a
 * confirmation; one it did not vouch for is confirmed first, as an anonymous reader's is. Signed in
 * over HTTP, mail read from a real SMTP server on loopback.
 */
let smtp: TestSmtp;
let parley: TestParley;
let scene: SsoScene;
beforeAll(async () => {
  smtp = await startTestSmtp();
  parley = await startTestParley({ SMTP_URL: smtp.url, SMTP_FROM: 'The Daily Example <comments@news.example>', PUBLIC_URL: 'https://parley.test', PARLEY_RATE_LIMITS: 'off' });
});
afterAll(async () => {
  await parley.close();
  await smtp.close();
});
beforeEach(async () => {
  await parley.reset();
  smtp.clear();
  scene = await ssoScene(parley);
});

async function signIn(claims: Record<string, unknown>): Promise<string> {
  const res = await login(parley, { site: scene.siteId, token: await signFor(scene, claims) });
  expect(res.status).toBe(200);
  return res.body.commenterToken;
}
const subscribe = (token: string) => call(parley, 'post', '/me/subscriptions', { threadId: scene.threadId }, { token });
async function settle() {
  await parley.app.deps.outbox.drain();
  await new Promise((r) => setTimeout(r, 300));
}

describe('mail to a signed-in reader’s email', () => {
  it('needs no confirmation when the publisher vouched for it (email_verified: true)', async () => {
    const token = await signIn({ sub: 'acct|1', name: 'Ada', email: 'ada@news.example', email_verified: true });
    const res = await subscribe(token);
    expect(res.status).toBe(201);
    expect(res.body.subscription).toMatchObject({ email: 'ada@news.example', confirmed: true });
    await settle();
    expect(smtp.mails).toEqual([]);
  });

  it('is confirmed first when the token does not vouch for it (email_verified absent or false)', async () => {
    for (const [sub, email, verified] of [['acct|2', 'bea@news.example', undefined], ['acct|3', 'cy@news.example', false]] as const) {
      const token = await signIn({ sub, name: sub, email, email_verified: verified });
      const res = await subscribe(token);
      expect(res.body.subscription).toMatchObject({ email, confirmed: false });
    }
    await settle();
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([['bea@news.example'], ['cy@news.example']]);
    expect(smtp.mails.every((m) => /confirm/i.test(m.subject))).toBe(true);
  });

  it('keeps the subscriptions of earlier anonymous comments when they are carried over to the account', async () => {
    // Anonymous first, with the same email the account has: one address for both on the site.
    const anon = await postComment(parley, scene.threadId, { body: 'Before subscribing.', name: 'ada42', email: 'ada@news.example' });
    const anonToken = anon.body.commenterToken as string;
    expect((await subscribe(anonToken)).body.subscription).toMatchObject({ email: 'ada@news.example', confirmed: false });
    const res = await login(parley, { site: scene.siteId, token: await signFor(scene, { sub: 'acct|4', name: 'Ada', email: 'ada@news.example', email_verified: true }) }, anonToken);
    const account = res.body.commenterToken as string;
    const other = await buildThread(parley.database.db, scene.siteId);
    const own = await call(parley, 'post', '/me/subscriptions', { threadId: other.id }, { token: account });
    expect(own.body.subscription).toMatchObject({ email: 'ada@news.example', confirmed: true });

    const claimed = await call(parley, 'post', '/sso/claim', { commenterToken: anonToken }, { token: account });
    expect(claimed.body).toEqual({ claimed: { comments: 1 } });
    const mine = await call(parley, 'get', '/me/subscriptions', undefined, { token: account });
    expect(mine.body.items.map((s: { threadId: string; confirmed: boolean }) => [s.threadId, s.confirmed]).sort()).toEqual(
      [[scene.threadId, true], [other.id, true]].sort(),
    );
    // A reply on the first thread reaches the reader once the batching window ends.
    smtp.clear();
    expect((await postComment(parley, scene.threadId, { body: 'A reply to Ada.', name: 'Bea', parentId: anon.body.comment.id })).status).toBe(201);
    parley.app.deps.clock.advance(16 * 60_000);
    await settle();
    expect(smtp.mails.map((m) => m.to)).toEqual([['ada@news.example']]);
  });
});
