import { buildSite, buildThread } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { call } from '../helpers/reader';
import { apiKey } from '../helpers/staff';
import { type ReceivedMail, startTestSmtp, type TestSmtp } from '../helpers/smtp';

/**
 * Readers' mail, end to end through a real SMTP server on loopback: what the tests read is what the
 * server received. Time moves with the injected clock (the batching window), never by waiting.
 */
let smtp: TestSmtp;
let parley: TestParley;
const MINUTE = 60_000;

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
});

const outbox = () => parley.app.deps.outbox;
/** Moves the clock past a window and lets the worker deliver what became due. */
async function later(ms: number) {
  parley.app.deps.clock.advance(ms);
  await outbox().drain();
}
/** Delivers what is due now, then waits a little more: nothing else may arrive. */
async function settle() {
  await outbox().drain();
  await new Promise((r) => setTimeout(r, 300));
}

async function setup(settings: Record<string, unknown> = {}) {
  const site = await buildSite(parley.database.db, { settings });
  const thread = await buildThread(parley.database.db, site.id);
  return { site, thread };
}

const post = (threadId: string, body: Record<string, unknown>, token?: string) => call(parley, 'post', `/threads/${threadId}/comments`, body, { token });
const local = (url: string) => url.replace('https://parley.test', '');
const linkIn = (mail: ReceivedMail, path: string) => new RegExp(`https://parley\\.test${path.replace(/[/?]/g, '\\$&')}\\?token=[\\w.-]+`).exec(mail.text)![0];

function expectUnsubscribeHeaders(mail: ReceivedMail) {
  expect(mail.headers['list-unsubscribe']).toMatch(/^<https:\/\/parley\.test\/api\/v1\/mail\/unsubscribe\?token=[\w.-]+>, <mailto:[^>]+>$/);
  expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  expect(mail.headers['message-id']).toMatch(/^<[0-9a-z]{16}@news\.example>$/);
  expect(mail.html).toContain('<html');
}

async function confirmFrom(mail: ReceivedMail) {
  const link = linkIn(mail, '/api/v1/mail/confirm');
  const page = await parley.http().get(local(link)).set('Accept', 'text/html');
  expect(page.status).toBe(200);
  expect(page.text).toContain('<form method="post"');
  const done = await parley.http().post(local(link)).set('Accept', 'text/html');
  expect(done.status).toBe(200);
  expect(done.text).toMatch(/Your email is confirmed|Votre e-mail est confirmé/);
}

describe('reply notifications', () => {
  it('confirms first, batches three replies into one mail, and stops after one-click unsubscribe', async () => {
    const { thread } = await setup();
    const alice = await post(thread.id, { body: 'What would you do?', name: 'Alice', email: 'Alice@Example.com', notify: 'replies' });
    expect(alice.status).toBe(201);
    expect(alice.body.subscription).toEqual({ scope: 'comment', confirmed: false });
    const [confirmation] = await smtp.waitFor(1);
    expect(confirmation!.to).toEqual(['alice@example.com']);
    expect(confirmation!.subject).toBe('Confirm your email for comments on The Daily Example');
    expectUnsubscribeHeaders(confirmation!);
    await confirmFrom(confirmation!);

    const replies = [];
    for (const [name, email] of [['Bob', 'bob@example.com'], ['Carol', 'carol@example.com'], ['Dan', null]] as const) {
      const res = await post(thread.id, { body: `${name} answers: delete the data.`, name, email, parentId: alice.body.comment.id });
      expect(res.status).toBe(201);
      replies.push(res.body.comment.id as string);
    }
    await settle();
    expect(smtp.mails).toHaveLength(1); // the window is still open
    await later(15 * MINUTE);
    const [, batch] = await smtp.waitFor(2);
    expect(batch!.to).toEqual(['alice@example.com']);
    expect(batch!.subject).toBe('3 new replies on “How would you resolve this stand-off?”');
    for (const id of replies) expect(batch!.text).toContain(`https://news.example/articles/1#comment-${id}`);
    expect(batch!.text).toContain('Bob: Bob answers: delete the data.');
    expect(batch!.raw).not.toMatch(/bob@example\.com|carol@example\.com/i);
    expectUnsubscribeHeaders(batch!);

    // RFC 8058: one POST to the List-Unsubscribe URL, as a mail provider sends it.
    const url = /<(https:[^>]+)>/.exec(batch!.headers['list-unsubscribe']!)![1]!;
    const click = await parley.http().post(local(url)).type('form').send('List-Unsubscribe=One-Click');
    expect(click.status).toBe(200);
    expect(click.body.result).toMatchObject({ done: true, scope: 'c' });
    await post(thread.id, { body: 'One more answer', name: 'Eve', parentId: alice.body.comment.id });
    await later(16 * MINUTE);
    await settle();
    expect(smtp.mails).toHaveLength(2);
  });

  it('tells a thread’s subscriber of new top-level comments, not only of replies', async () => {
    const { thread } = await setup();
    const alice = await post(thread.id, { body: 'Following this one.', name: 'Alice', email: 'alice@example.com', notify: 'thread' });
    expect(alice.body.subscription).toEqual({ scope: 'thread', confirmed: false });
    await confirmFrom((await smtp.waitFor(1))[0]!);
    // Two readers who subscribe to nothing post at the top of the thread: the posts that go in one
    // batch with nothing else to write, the commonest post of all.
    const ids = [];
    for (const name of ['Bob', 'Carol']) ids.push((await post(thread.id, { body: `${name} starts a new point.`, name })).body.comment.id as string);
    await later(15 * MINUTE);
    const [, batch] = await smtp.waitFor(2);
    expect(batch!.to).toEqual(['alice@example.com']);
    for (const id of ids) expect(batch!.text).toContain(`#comment-${id}`);
    expectUnsubscribeHeaders(batch!);
  });

  it('posts written together tell each follower of the others’ comments, never of their own', async () => {
    const { thread } = await setup();
    const follow = async (name: string, notify: 'thread' | 'replies', seen: number) => {
      const res = await post(thread.id, { body: `${name} is here.`, name, email: `${name.toLowerCase()}@example.com`, notify });
      await confirmFrom((await smtp.waitFor(seen))[seen - 1]!);
      return { id: res.body.comment.id as string, token: res.body.commenterToken as string };
    };
    const alice = await follow('Alice', 'thread', 1);
    const bob = await follow('Bob', 'thread', 2);
    const carol = await follow('Carol', 'replies', 3);
    await later(15 * MINUTE); // the window of those first comments ends: their mails go (Alice and Bob hear of the others)
    await settle();
    smtp.clear();
    // At once, as a busy thread's posts go in one batch: Alice twice at the top, Bob answering Carol.
    const posted = await Promise.all([
      post(thread.id, { body: 'Alice, first point.' }, alice.token),
      post(thread.id, { body: 'Alice, second point.' }, alice.token),
      post(thread.id, { body: 'Bob answers Carol.', parentId: carol.id }, bob.token),
    ]);
    expect(posted.map((r) => r.status)).toEqual([201, 201, 201]);
    const [first, second, answer] = posted.map((r) => r.body.comment.id as string);
    await later(15 * MINUTE);
    await settle();
    const to = (who: string) => smtp.mails.filter((m) => m.to[0] === who);
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    // Alice: Bob's answer only; Bob: Alice's two; Carol (her comment's replies): Bob's answer only.
    expect(to('alice@example.com')[0]!.text).toContain(`#comment-${answer}`);
    expect(to('alice@example.com')[0]!.text).not.toMatch(new RegExp(`#comment-(${first}|${second})`));
    expect(to('bob@example.com')[0]!.text).toContain(`#comment-${first}`);
    expect(to('bob@example.com')[0]!.text).toContain(`#comment-${second}`);
    expect(to('bob@example.com')[0]!.text).not.toContain(`#comment-${answer}`);
    expect(to('carol@example.com')[0]!.text).toContain(`#comment-${answer}`);
    expect(to('carol@example.com')[0]!.text).not.toMatch(new RegExp(`#comment-(${first}|${second})`));

    // Alice alone, twice at once: Bob hears of it, Alice of nothing.
    smtp.clear();
    await Promise.all([post(thread.id, { body: 'Alice, third point.' }, alice.token), post(thread.id, { body: 'Alice, fourth point.' }, alice.token)]);
    await later(15 * MINUTE);
    await settle();
    expect(smtp.mails.map((m) => m.to[0])).toEqual(['bob@example.com']);
    expect(smtp.mails[0]!.subject).toMatch(/^2 new /);
  });

  it('tells the widget that mail is offered, and refuses a wish to be told without an address, storing nothing', async () => {
    const { site, thread } = await setup();
    const resolved = await call(parley, 'post', '/threads/resolve', { site: site.id, key: thread.key });
    expect(resolved.status).toBe(200);
    expect(resolved.body.mail).toBe(true);
    const refused = await post(thread.id, { body: 'Tell me', name: 'Nobody', notify: 'thread' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'email', message: 'is required to be told by email' }]);
    expect(await parley.database.db.selectFrom('comments').selectAll().execute()).toEqual([]);
    expect(await parley.database.db.selectFrom('mail_subscriptions').selectAll().execute()).toEqual([]);
  });

  it('keeps one batch per reader and thread while a refused send waits for its retry: one mail carries every reply', async () => {
    const { thread } = await setup();
    const alice = await post(thread.id, { body: 'Tell me', email: 'alice@example.com', notify: 'replies' });
    await confirmFrom((await smtp.waitFor(1))[0]!);
    const bob = await post(thread.id, { body: 'Bob answers', name: 'Bob', parentId: alice.body.comment.id });
    // The batch's send is refused once: its row waits for a retry.
    smtp.refuseNext(1);
    await later(15 * MINUTE);
    await settle();
    const batches = () => parley.database.db.selectFrom('outbox').select(['attempts']).where('kind', '=', 'mail.replies').where('done_at', 'is', null).where('failed_at', 'is', null).execute();
    expect(await batches()).toEqual([{ attempts: 1 }]);
    const carol = await post(thread.id, { body: 'Carol answers', name: 'Carol', parentId: alice.body.comment.id });
    expect(await batches()).toEqual([{ attempts: 1 }]);
    // Past the retry and past a new window: still one mail, with both replies.
    await later(15 * MINUTE);
    await settle();
    const replies = smtp.mails.filter((m) => m.subject.includes('new repl'));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.subject).toBe('2 new replies on “How would you resolve this stand-off?”');
    for (const c of [bob, carol]) expect(replies[0]!.text).toContain(`#comment-${c.body.comment.id}`);
    expect(await batches()).toEqual([]);
  });

  it('sends nothing but the confirmation to an address nobody confirmed, and one confirmation a day', async () => {
    const { thread } = await setup({ replyBatchMinutes: 0 });
    const alice = await post(thread.id, { body: 'Subscribe me', email: 'alice@example.com', notify: 'thread' });
    await post(thread.id, { body: 'And this reply too', email: 'alice@example.com', notify: 'replies' }, alice.body.commenterToken);
    await post(thread.id, { body: 'A reply', parentId: alice.body.comment.id });
    await later(MINUTE);
    await settle();
    expect(smtp.mails.map((m) => m.subject)).toEqual(['Confirm your email for comments on The Daily Example']);
    await later(24 * 60 * MINUTE);
    await post(thread.id, { body: 'Again', email: 'alice@example.com', notify: 'thread' }, alice.body.commenterToken);
    await smtp.waitFor(2);
    expect(smtp.mails.map((m) => m.subject)).toEqual(Array(2).fill('Confirm your email for comments on The Daily Example'));
  });

  it('tells a held comment’s subscribed author once it is approved, in French', async () => {
    const { site, thread } = await setup({ moderation: 'pre', locale: 'fr' });
    const held = await post(thread.id, { body: 'Mon avis', email: 'marie@example.fr', notify: 'replies' });
    expect(held.body.comment.status).toBe('pending');
    const [confirmation] = await smtp.waitFor(1);
    expect(confirmation!.subject).toBe('Confirmez votre e-mail pour les commentaires de The Daily Example');
    await confirmFrom(confirmation!);
    const key = await apiKey(parley, site.id);
    expect((await key.call('post', `/moderation/comments/${held.body.comment.id}/decision`, { action: 'approve' })).status).toBe(200);
    const [, approved] = await smtp.waitFor(2);
    expect(approved!.subject).toBe('Votre commentaire sur « How would you resolve this stand-off? » est publié');
    expect(approved!.text).toContain(`#comment-${held.body.comment.id}`);
    expectUnsubscribeHeaders(approved!);
  });

  it('lists, adds and removes subscriptions in "Your data", and unsubscribes from the whole site', async () => {
    const { thread } = await setup({ replyBatchMinutes: 0 });
    const first = await post(thread.id, { body: 'Hello', email: 'rich@example.com' });
    const token = first.body.commenterToken as string;
    const added = await call(parley, 'post', '/me/subscriptions', { threadId: thread.id }, { token });
    expect(added.status).toBe(201);
    expect(added.body.subscription).toMatchObject({ scope: 'thread', email: 'rich@example.com', confirmed: false, threadId: thread.id });
    const list = await call(parley, 'get', '/me/subscriptions', undefined, { token });
    expect(list.body.items).toHaveLength(1);
    const [confirmation] = await smtp.waitFor(1);
    // The confirmation's own unsubscribe is for the whole site.
    const stop = /<(https:[^>]+)>/.exec(confirmation!.headers['list-unsubscribe']!)![1]!;
    const page = await parley.http().get(local(stop)).set('Accept', 'text/html');
    expect(page.text).toContain('Stop every email from The Daily Example.');
    expect((await parley.http().post(local(stop)).set('Accept', 'text/html')).text).toContain('You are unsubscribed');
    expect((await call(parley, 'get', '/me/subscriptions', undefined, { token })).body.items).toEqual([]);

    const again = await call(parley, 'post', '/me/subscriptions', { threadId: thread.id, commentId: first.body.comment.id }, { token });
    const removed = await call(parley, 'delete', `/me/subscriptions/${again.body.subscription.id}`, undefined, { token });
    expect(removed.status).toBe(204);
    expect((await call(parley, 'delete', `/me/subscriptions/${again.body.subscription.id}`, undefined, { token })).status).toBe(404);
    expect((await call(parley, 'post', '/me/subscriptions', { threadId: 'nope' }, { token })).status).toBe(400);
    expect((await call(parley, 'post', '/me/subscriptions', { threadId: thread.id })).status).toBe(401);
    const forged = local(stop).replace(/\.[\w-]{32}$/, `.${'A'.repeat(32)}`);
    expect((await parley.http().post(forged)).body.result).toMatchObject({ done: true });
    expect((await parley.http().post(local(stop)).type('json').send('{}')).status).toBe(415);
  });

  it('skips the confirmation for an address the publisher vouched for (SSO email_verified), and only that one', async () => {
    const { thread } = await setup({ replyBatchMinutes: 0 });
    const first = await post(thread.id, { body: 'Signed in', email: 'vouched@example.com' });
    const token = first.body.commenterToken as string;
    // What a sign-in with `email_verified: true` leaves on the commenter.
    const commenterId = (await parley.database.db.selectFrom('comments').select('commenter_id').where('id', '=', first.body.comment.id).executeTakeFirstOrThrow()).commenter_id!;
    await parley.database.db.updateTable('commenters').set({ email: 'vouched@example.com', email_verified: true }).where('id', '=', commenterId).execute();
    const vouched = await call(parley, 'post', '/me/subscriptions', { threadId: thread.id }, { token });
    expect(vouched.body.subscription).toMatchObject({ email: 'vouched@example.com', confirmed: true });
    const elsewhere = await buildThread(parley.database.db, thread.site_id);
    const other = await call(parley, 'post', '/me/subscriptions', { threadId: elsewhere.id, email: 'other@example.com' }, { token });
    expect(other.body.subscription).toMatchObject({ email: 'other@example.com', confirmed: false });
    await settle();
    expect(smtp.mails.map((m) => m.to)).toEqual([['other@example.com']]);
  });
});
