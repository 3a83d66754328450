import type { BrowserContext, Page } from 'playwright-core';
import { freePort } from '../bench/procs';
import { articlePage, axeViolations, closeReader, openReader, type PageLog, publishArticle, readerTakesTime, tabTo, threadShown, until, useBrowserServers, widget } from '../helpers/browser';
import { startTestParley, type TestParley } from '../helpers/parley';
import { call } from '../helpers/reader';
import { type ReceivedMail, startTestSmtp, type TestSmtp } from '../helpers/smtp';

/**
 * A reader asks, in the widget, to be told of replies by email: the whole path through a real SMTP
 * server on loopback, with the links of the mails opened as the reader would open them. Time moves
 * with the app's clock (the 15-minute batching window), never by waiting.
 */
jest.setTimeout(90_000);

let smtp: TestSmtp;
/** Parley listening where its PUBLIC_URL says, so the links in its mails open in the browser. */
async function startMailParley(): Promise<TestParley> {
  smtp = await startTestSmtp();
  const port = await freePort();
  return startTestParley(
    { SMTP_URL: smtp.url, SMTP_FROM: 'The Daily Example <comments@news.example>', PUBLIC_URL: `http://127.0.0.1:${port}`, PARLEY_RATE_LIMITS: 'off' },
    { port },
  );
}
const servers = useBrowserServers(startMailParley);
afterAll(() => smtp?.close());

let parley: TestParley;
let context: BrowserContext;
let page: Page;
let log: PageLog;
const MINUTE = 60_000;

beforeEach(async () => {
  parley = servers.parley;
  await parley.reset();
  smtp.clear();
  ({ context, page, log } = await openReader(servers.browser));
});
afterEach(() => closeReader({ context, log }, [servers.publisher.origin, parley.url, parley.url.replace('http:', 'ws:')]));

const notifyBox = () => widget(page).getByRole('checkbox', { name: 'Notify me of new comments by email' });
const comment = (text: string) => widget(page).locator('li.c').filter({ has: page.locator(':scope > article .body').getByText(text, { exact: true }) });

/** Every mail carries both RFC 8058 headers, with an https-or-http link to Parley and a mailto. */
function expectUnsubscribeHeaders(mail: ReceivedMail) {
  expect(mail.headers['list-unsubscribe']).toMatch(new RegExp(`^<${parley.url}/api/v1/mail/unsubscribe\\?token=[\\w.-]+>, <mailto:unsubscribe@news\\.example\\?subject=[^>]+>$`));
  expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
}

/** Delivers what is due, then gives a stray mail time to arrive: there must be none. */
async function settle() {
  await parley.app.deps.outbox.drain();
  await new Promise((r) => setTimeout(r, 400));
}

describe('being told of replies by email, from the widget', () => {
  it('subscribes, confirms from the mail, gets one mail for three replies, and stops with one POST', async () => {
    await publishArticle(servers);
    await page.goto(`${servers.publisher.origin}/article`);
    await threadShown(page);

    // Offered under the email field; the choice of what to hear about opens with the checkbox.
    await widget(page).getByRole('textbox', { name: 'Name' }).fill('Alice');
    await widget(page).getByRole('textbox', { name: 'Email' }).fill('alice@example.com');
    await expect(widget(page).getByRole('radio').count()).resolves.toBe(0);
    // By keyboard: Tab from the email field reaches the checkbox, Space ticks it.
    await widget(page).getByRole('textbox', { name: 'Email' }).focus();
    await tabTo(page, /^INPUT Notify me of new comments by email$/, 5);
    await page.keyboard.press('Space');
    await widget(page).getByRole('group', { name: 'Tell me about' }).waitFor();
    await expect(notifyBox().getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(widget(page).getByRole('radio', { name: 'Replies to my comment' }).isChecked()).resolves.toBe(true);
    await expect(widget(page).getByRole('radio', { name: 'Every new comment in this thread' }).isChecked()).resolves.toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('What would you do?');
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await comment('What would you do?').waitFor();
    await widget(page).getByText('We sent you an email: follow its link to confirm your address.', { exact: true }).waitFor();
    // Asked once, for that comment: the box is clear again for the next one.
    await until(() => notifyBox().isChecked(), (v) => v === false);

    // The first mail only asks to confirm; its link opens a page whose button confirms.
    const [confirmation] = await smtp.waitFor(1);
    expect(confirmation!.to).toEqual(['alice@example.com']);
    expect(confirmation!.subject).toMatch(/^Confirm your email for comments on /);
    expectUnsubscribeHeaders(confirmation!);
    const confirmLink = new RegExp(`${parley.url}/api/v1/mail/confirm\\?token=[\\w-]+`).exec(confirmation!.text)![0];
    await page.goto(confirmLink);
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await page.getByRole('heading', { name: 'Your email is confirmed' }).waitFor();

    // Three replies within a minute, from other readers.
    const alice = await parley.db.selectFrom('comments').select(['id', 'thread_id']).executeTakeFirstOrThrow();
    const replies: string[] = [];
    for (const name of ['Bob', 'Carol', 'Dan']) {
      const res = await call(parley, 'post', `/threads/${alice.thread_id}/comments`, { body: `${name} answers.`, name, parentId: alice.id });
      expect(res.status).toBe(201);
      replies.push(res.body.comment.id);
      parley.app.deps.clock.advance(20_000);
    }
    await settle();
    expect(smtp.mails).toHaveLength(1); // the batching window is still open
    parley.app.deps.clock.advance(15 * MINUTE);
    await parley.app.deps.outbox.drain();
    const [, batch] = await smtp.waitFor(2);
    expect(batch!.to).toEqual(['alice@example.com']);
    expect(batch!.subject).toBe('3 new replies on “Stand-off”');
    for (const id of replies) expect(batch!.text).toContain(`${servers.publisher.origin}/article#comment-${id}`);
    expectUnsubscribeHeaders(batch!);

    // RFC 8058: one POST to the List-Unsubscribe URL, as a mail provider sends it, without signing in.
    const stop = /<(http[^>]+)>/.exec(batch!.headers['list-unsubscribe']!)![1]!;
    const click = await fetch(stop, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(click.status).toBe(200);
    const more = await call(parley, 'post', `/threads/${alice.thread_id}/comments`, { body: 'Eve answers too.', name: 'Eve', parentId: alice.id });
    expect(more.status).toBe(201);
    parley.app.deps.clock.advance(16 * MINUTE);
    await settle();
    expect(smtp.mails).toHaveLength(2);
    for (const mail of smtp.mails) expectUnsubscribeHeaders(mail);
    expect(await parley.db.selectFrom('mail_subscriptions').selectAll().execute()).toEqual([]);
  });

  it('asks for the email at its field when it is missing, and speaks French on a French page', async () => {
    const siteId = await publishArticle(servers);
    servers.pages['/article-fr'] = articlePage(parley.url, { site: siteId, key: 'stand-off', lang: 'fr' });
    await page.goto(`${servers.publisher.origin}/article-fr`);
    await threadShown(page);
    await widget(page).getByRole('checkbox', { name: 'Me prévenir des nouveaux commentaires par e-mail' }).check();
    await widget(page).getByRole('radio', { name: 'De chaque nouveau commentaire de cette discussion' }).check();
    await widget(page).getByRole('textbox', { name: 'Commentaire' }).fill('Sans adresse.');
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Publier le commentaire' }).click();
    const email = widget(page).getByRole('textbox', { name: 'E-mail' });
    await until(() => email.getAttribute('aria-invalid'), (v) => v === 'true');
    expect(await parley.db.selectFrom('comments').selectAll().execute()).toEqual([]);

    await email.fill('marie@example.fr');
    await widget(page).getByRole('button', { name: 'Publier le commentaire' }).click();
    await widget(page).getByText('Nous vous avons envoyé un e-mail : suivez son lien pour confirmer votre adresse.', { exact: true }).waitFor();
    const [confirmation] = await smtp.waitFor(1);
    expect(confirmation!.to).toEqual(['marie@example.fr']);
    expect(confirmation!.subject).toMatch(/^Confirmez votre e-mail pour les commentaires de /);
    const subs = await parley.db.selectFrom('mail_subscriptions').select(['scope', 'comment_id']).execute();
    expect(subs).toEqual([{ scope: 'thread', comment_id: null }]);
  });
});
