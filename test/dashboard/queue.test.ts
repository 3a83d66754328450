import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { launchBrowser, openPage, type PageLog, until } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { addMember } from '../helpers/staff';
import { axeViolations, foreignRequests, signInOnPage, startDashboardParley } from './helpers';

jest.setTimeout(90_000);

let parley: TestParley;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let log: PageLog;

beforeAll(async () => {
  [parley, browser] = await Promise.all([startDashboardParley(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await parley?.close();
});

let siteId: string;
let threadId: string;
let moderator: Awaited<ReturnType<typeof addMember>>;
beforeEach(async () => {
  await parley.reset();
  siteId = (await buildSite(parley.database.db, { settings: { moderation: 'pre' } })).id;
  threadId = (await buildThread(parley.database.db, siteId)).id;
  moderator = await addMember(parley.database.db, [[siteId, 'moderator']], { name: 'Mona Moderator' });
  context = await browser.newContext();
  context.setDefaultTimeout(8_000);
  ({ page, log } = await openPage(context));
});
afterEach(async () => {
  expect(log.errors).toEqual([]);
  // Everything the dashboard loaded or opened, it loaded from Parley itself.
  expect(log.requests.length).toBeGreaterThan(0);
  expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  await context.close();
});

/** A reader's pending comment, through the public API; returns its id and the reader's token. */
async function pending(body: string, name: string, token?: string): Promise<{ id: string; token: string }> {
  const res = await postComment(parley, threadId, { body, name }, token);
  expect(res.body.comment?.status).toBe('pending');
  return { id: res.body.comment.id, token: res.body.commenterToken ?? token };
}
const items = () => page.locator('ol.items > li:not(.gone)');
const item = (author: string) => page.getByRole('article', { name: `Comment by ${author}` });
const statuses = async () =>
  Object.fromEntries((await parley.database.db.selectFrom('comments').select(['body_src', 'status']).execute()).map((r) => [r.body_src, r.status]));
const queueLink = (name: string) => page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: new RegExp(`^${name} `) });

describe('the moderation queue', () => {
  it('signs in and approves three comments with the keyboard alone', async () => {
    await pending('Off with their heads.', 'Richard');
    await pending('The regulator was right.', 'Ana');
    await pending('Pay the fine and move on.', 'Ben');

    await page.goto(`${parley.url}/moderate`);
    await page.getByRole('heading', { name: 'Sign in to moderate' }).waitFor();
    // The email field has focus from the start: type, Tab, type, Enter.
    await page.keyboard.type(moderator.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(moderator.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Queues: Pending' }).waitFor();
    await until(() => items().count(), (n) => n === 3);
    await expect(queueLink('Pending').textContent()).resolves.toBe('Pending 3');

    await page.keyboard.press('j');
    // Newest first: Ben's comment is under the cursor.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Ben');
    await page.keyboard.press('a');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Ana');
    await page.keyboard.press('a');
    await page.keyboard.press('a');

    await page.getByText('Nothing here. Well done.').waitFor();
    await until(statuses, (s) => Object.values(s).every((v) => v === 'approved'));
    await until(() => queueLink('Pending').textContent(), (text) => text === 'Pending 0');
    // Readers see them now.
    const list = await parley.http().get(`/api/v1/threads/${threadId}/comments`);
    expect(list.body.items).toHaveLength(3);
    // The audit log has the three decisions, by the moderator.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await until(() => page.getByRole('cell', { name: 'comment.approve' }).count(), (n) => n === 3);
    await expect(page.getByRole('cell', { name: 'Mona Moderator' }).count()).resolves.toBe(3);
  });

  it('features with f, rejects with r, marks spam with s, and walks back with k', async () => {
    await pending('Worth pinning.', 'Ana');
    await pending('Rude.', 'Ben');
    await pending('Buy now.', 'Cleo');
    await signInOnPage(page, parley.url, moderator);
    await until(() => items().count(), (n) => n === 3);
    await page.keyboard.press('j'); // Cleo, the newest
    await page.keyboard.press('j'); // Ben
    await page.keyboard.press('j'); // Ana
    await page.keyboard.press('k'); // back to Ben
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Ben');
    await page.keyboard.press('r');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Ana');
    await page.keyboard.press('f');
    await page.getByText('Featured.').waitFor();
    await page.keyboard.press('s');
    await page.getByText('Nothing here. Well done.').waitFor();
    await until(statuses, (st) => st['Worth pinning.'] === 'approved' && st['Rude.'] === 'rejected' && st['Buy now.'] === 'spam');
    const shown = await parley.http().get(`/api/v1/threads/${threadId}/comments`);
    expect(shown.body.items).toMatchObject([{ bodyHtml: '<p>Worth pinning.</p>', featured: true }]);
  });

  it('rejects a selection in bulk, and selects with x as well as with the mouse', async () => {
    await pending('First.', 'Ana');
    await pending('Second.', 'Ben');
    await pending('Third.', 'Cleo');
    await pending('Keep me.', 'Dora');
    await signInOnPage(page, parley.url, moderator);
    await until(() => items().count(), (n) => n === 4);

    await item('Ana').getByRole('checkbox', { name: 'Select the comment by Ana' }).check();
    await item('Ben').getByRole('checkbox').check();
    await item('Cleo').focus();
    await page.keyboard.press('x');
    await page.getByText('3 selected').waitFor();
    await page.getByRole('group', { name: 'Selected comments' }).getByRole('button', { name: 'Reject' }).click();

    await page.getByText('3 done.').waitFor();
    await until(() => items().count(), (n) => n === 1);
    await expect(item('Dora').isVisible()).resolves.toBe(true);
    expect(await statuses()).toEqual({ 'First.': 'rejected', 'Second.': 'rejected', 'Third.': 'rejected', 'Keep me.': 'pending' });
    await until(() => queueLink('Rejected').textContent(), (text) => text === 'Rejected 3');

    // The rejected queue holds them, and one can be restored (back to pending).
    await queueLink('Rejected').click();
    await until(() => items().count(), (n) => n === 3);
    await item('Ben').getByRole('button', { name: 'Restore' }).click();
    await until(() => items().count(), (n) => n === 2);
    await until(statuses, (s) => s['Second.'] === 'pending');
  });

  it('bans a commenter from their comment: their pending comments go, the ban is listed, then lifted', async () => {
    const troll = await pending('Buy followers here.', 'Troll');
    await pending('And here.', 'Troll', troll.token);
    await pending('A fair point.', 'Ana');
    await signInOnPage(page, parley.url, moderator);
    await until(() => items().count(), (n) => n === 3);

    await item('Ana').focus();
    await page.keyboard.press('j'); // to the Troll's newest comment
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Troll');
    await page.keyboard.press('b');
    const dialog = page.getByRole('dialog', { name: 'Ban Troll' });
    await dialog.getByLabel('Reason').fill('spam links');
    await expect(dialog.getByLabel('Also reject their pending comments').isChecked()).resolves.toBe(true);
    await dialog.getByRole('button', { name: 'Ban' }).click();
    await page.getByText('Troll is banned.').waitFor();
    await until(() => items().count(), (n) => n === 1);
    await expect(item('Ana').isVisible()).resolves.toBe(true);
    expect(await statuses()).toMatchObject({ 'Buy followers here.': 'rejected', 'And here.': 'rejected', 'A fair point.': 'pending' });

    // The banned reader can no longer post.
    const refused = await postComment(parley, threadId, { body: 'Let me back in.' }, troll.token);
    expect(refused.status).toBe(403);

    await page.getByRole('link', { name: 'Bans' }).click();
    const row = page.getByRole('row', { name: /Troll/ });
    await row.getByRole('cell', { name: 'spam links' }).waitFor();
    await row.getByRole('button', { name: 'Lift: Troll' }).click();
    await page.getByText('No active bans.').waitFor();
    const allowed = await postComment(parley, threadId, { body: 'Let me back in.' }, troll.token);
    expect(allowed.status).toBe(201);
  });

  it('shows a comment posted meanwhile without moving the one under the cursor, and the counts follow', async () => {
    await pending('Already waiting.', 'Ana');
    await signInOnPage(page, parley.url, moderator);
    await until(() => items().count(), (n) => n === 1);
    await until(() => queueLink('Pending').textContent(), (text) => text === 'Pending 1');
    await page.keyboard.press('j');
    const before = await item('Ana').boundingBox();

    await pending('Just arrived.', 'Ben');
    await until(() => queueLink('Pending').textContent(), (text) => text === 'Pending 2');
    const bar = page.getByRole('button', { name: '1 new comment: show it' });
    await bar.waitFor();
    // Nothing moved: the same comment is under the cursor, at the same place.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Ana');
    expect(await item('Ana').boundingBox()).toEqual(before);
    await expect(items().count()).resolves.toBe(1);

    await bar.click();
    await until(() => items().count(), (n) => n === 2);
    await expect(item('Ben').getByText('Just arrived.').isVisible()).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Ben');

    // Someone else (another moderator, through the API) decides Ana's comment: it is marked, not yanked away.
    const other = await parley.http().post('/api/v1/auth/login').send({ email: moderator.email, password: moderator.password });
    const cookie = String(other.headers['set-cookie']).split(';')[0]!;
    const ana = (await parley.database.db.selectFrom('comments').select('id').where('body_src', '=', 'Already waiting.').executeTakeFirstOrThrow()).id;
    await parley
      .http()
      .post(`/api/v1/moderation/comments/${ana}/decision`)
      .set('Cookie', cookie)
      .set('X-CSRF-Token', other.body.csrfToken)
      .send({ action: 'approve' })
      .expect(200);
    await item('Ana').getByText('Someone else decided this comment.').waitFor();
    await until(() => queueLink('Pending').textContent(), (text) => text === 'Pending 1');
  });

  it('catches up after losing the live stream: comments posted meanwhile join the new-comments bar', async () => {
    await pending('Already waiting.', 'Ana');
    await signInOnPage(page, parley.url, moderator);
    await until(() => items().count(), (n) => n === 1);
    await until(() => queueLink('Pending').textContent(), (text) => text === 'Pending 1');

    await context.setOffline(true);
    await pending('Posted while the moderator was offline.', 'Ben');
    await context.setOffline(false);

    const bar = page.getByRole('button', { name: '1 new comment: show it' });
    await bar.waitFor({ timeout: 20_000 });
    await until(() => queueLink('Pending').textContent(), (text) => text === 'Pending 2');
    await expect(items().count()).resolves.toBe(1);
    await bar.click();
    await until(() => items().count(), (n) => n === 2);
    await expect(item('Ben').getByText('Posted while the moderator was offline.').isVisible()).resolves.toBe(true);
  });

  it('shows each comment in its thread under the comment it answers, with its author’s record, and switches site', async () => {
    const db = parley.database.db;
    const first = await postComment(parley, threadId, { body: 'The regulator was right.', name: 'Ana' });
    await db.updateTable('comments').set({ status: 'approved' }).where('id', '=', first.body.comment.id).execute();
    const before = await pending('Earlier, rejected.', 'Richard');
    await parley.database.db.updateTable('comments').set({ status: 'rejected' }).where('id', '=', before.id).execute();
    const reply = await postComment(parley, threadId, { body: 'Nobody reads those policies.', name: 'Richard', email: 'richard@example.com', parentId: first.body.comment.id }, before.token);
    expect(reply.body.comment.status).toBe('pending');
    const other = await buildSite(db, { settings: { moderation: 'pre' } });
    const otherThread = await buildThread(db, other.id);
    await postComment(parley, otherThread.id, { body: 'On the other site.', name: 'Zoe' });
    await db.insertInto('site_members').values({ site_id: other.id, member_id: moderator.id, role: 'moderator' }).execute();

    await signInOnPage(page, parley.url, moderator);
    await page.getByLabel('Site').selectOption(siteId);
    const card = item('Richard');
    await card.waitFor();
    await expect(card.locator('.context').textContent()).resolves.toMatch(/^In How would you resolve this stand-off\?/);
    await expect(card.locator('blockquote.parent').textContent()).resolves.toBe('In reply to AnaThe regulator was right.');
    await expect(card.locator('.meta').textContent()).resolves.toMatch(/^richard@example\.com · commenting since .* · 0 approved, 1 pending, 1 rejected, 0 spam$/);
    await card.getByRole('button', { name: 'History' }).click();
    await card.getByRole('heading', { name: 'Earlier decisions' }).waitFor();
    await expect(items().count()).resolves.toBe(1);

    await page.getByLabel('Site').selectOption(other.id);
    await item('Zoe').waitFor();
    await expect(items().count()).resolves.toBe(1);
    // The live stream follows the site on screen. A post racing the switch's join is healed by the
    // queue counts every 5 s (the count grew past what the page was told): allow for that on a busy machine.
    await postComment(parley, otherThread.id, { body: 'Another one here.', name: 'Yann' });
    await page.getByRole('button', { name: '1 new comment: show it' }).waitFor({ timeout: 20_000 });
    // The choice is remembered in this browser.
    await page.reload();
    await item('Zoe').waitFor();
  });

  it('passes an accessibility check with items, the help and the ban dialog open', async () => {
    const first = await pending('Off with their heads.', 'Richard');
    await parley.database.db.updateTable('comments').set({ flag_count: 1 }).where('id', '=', first.id).execute();
    await pending('A *fair* point, see https://news.example/a', 'Ana');
    await signInOnPage(page, parley.url, moderator);
    await until(() => items().count(), (n) => n === 2);
    await page.keyboard.press('j');
    expect(await axeViolations(page)).toEqual([]);

    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Comment by Ana');

    await item('Ana').getByRole('button', { name: 'History' }).click();
    await item('Ana').getByRole('heading', { name: 'Earlier decisions' }).waitFor();
    await page.keyboard.press('b');
    await page.getByRole('dialog', { name: 'Ban Ana' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');

    // The dark theme (the member's system setting) passes too.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    for (const section of ['Bans', 'Audit log', 'Threads']) {
      await page.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name: section }).click();
      await page.getByRole('heading', { level: 1 }).filter({ hasNotText: 'Queues' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    }
  });
});
