import { startTestParley } from '../helpers/parley';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { postComment } from '../helpers/factories';
import { articlePage, type PageLog, until, threadShown, widget, type Publisher, useBrowserServers, openReader, closeReader, publishThread } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';

jest.setTimeout(60_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
let context: BrowserContext;
let page: Page;
let log: PageLog;
// Seeding posts many comments from one network in seconds: the abuse speed signal would hold them.
const servers = useBrowserServers(() => startTestParley({ PARLEY_RATE_LIMITS: 'off' }));
const { pages } = servers;

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});

let threadId: string;
beforeEach(async () => {
  await parley.reset();
  ({ threadId } = await publishThread(servers));
  ({ context, page, log } = await openReader(browser));
});
afterEach(() => closeReader({ context, log }));

const open = async (hash = '') => {
  await page.goto(`${publisher.origin}/article${hash}`);
  await threadShown(page);
};
const topLevelTexts = () => widget(page).locator('ol.list > li.c > article .body').allTextContents();

async function seed(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const res = await postComment(parley, threadId, { body: `Comment number ${i}`, name: `Reader ${i}` });
    expect(res.status).toBe(201);
    ids.push(res.body.comment.id);
  }
  return ids;
}

describe('reading a thread', () => {
  it('pages with "Show more comments" and re-sorts newest first', async () => {
    await seed(23);
    await open();
    await expect(widget(page).getByRole('heading', { level: 2 }).textContent()).resolves.toBe('23 comments');
    expect(await topLevelTexts()).toHaveLength(20);
    expect((await topLevelTexts())[0]).toBe('Comment number 1');

    await widget(page).getByRole('button', { name: 'Show more comments' }).click();
    await widget(page).getByText('Comment number 23', { exact: true }).waitFor();
    expect(await topLevelTexts()).toHaveLength(23);
    await expect(widget(page).getByRole('button', { name: 'Show more comments' }).isVisible()).resolves.toBe(false);

    await widget(page).getByRole('combobox', { name: 'Sort by' }).selectOption('newest');
    await until(async () => (await topLevelTexts())[0], (first) => first === 'Comment number 23');
    expect(await topLevelTexts()).toHaveLength(20);
  });

  it('threads replies under their comment', async () => {
    const [rootId] = await seed(1);
    for (let i = 1; i <= 2; i++) {
      expect((await postComment(parley, threadId, { body: `Reply ${i}`, parentId: rootId })).status).toBe(201);
    }
    await open();
    const replies = widget(page).locator(`#comment-${rootId} > ol.replies > li.c .body`);
    await expect(replies.allTextContents()).resolves.toEqual(['Reply 1', 'Reply 2']);
  });

  it('marks edits, shows member badges and keeps a tombstone where a deleted or removed comment had replies', async () => {
    const [a, b, c, d] = await seed(4);
    await postComment(parley, threadId, { body: 'A reply that keeps the thread', parentId: c });
    await postComment(parley, threadId, { body: 'A reply a moderator left alone', parentId: d });
    const db = parley.database.db;
    await db.updateTable('comments').set({ edited_at: new Date() }).where('id', '=', a!).execute();
    await db.updateTable('comments').set({ badge: 'journalist', author_name: 'Naked Security' }).where('id', '=', b!).execute();
    await db.updateTable('comments').set({ status: 'deleted' }).where('id', '=', c!).execute();
    await db.updateTable('comments').set({ status: 'spam' }).where('id', '=', d!).execute();
    await open();

    const removed = widget(page).locator(`#comment-${d} > article`);
    await expect(removed.textContent()).resolves.toContain('This comment was removed by a moderator.');
    await expect(removed.textContent()).resolves.not.toContain('Comment number 4');
    await expect(removed.getByRole('button').count()).resolves.toBe(0);
    await widget(page).locator(`#comment-${d} .replies`).getByText('A reply a moderator left alone').waitFor();

    await expect(widget(page).locator(`#comment-${a} > article .edited`).textContent()).resolves.toBe('edited');
    await expect(widget(page).locator(`#comment-${b} > article .badge`).textContent()).resolves.toBe('Journalist');
    const tomb = widget(page).locator(`#comment-${c} > article`);
    await expect(tomb.textContent()).resolves.toContain('This comment was deleted.');
    await expect(tomb.textContent()).resolves.not.toContain('Comment number 3');
    await expect(tomb.getByRole('button').count()).resolves.toBe(0);
    await widget(page).locator(`#comment-${c} .replies`).getByText('A reply that keeps the thread').waitFor();
  });

  it('scrolls to and highlights the comment named in the address (#comment-<id>)', async () => {
    const ids = await seed(15);
    await page.setViewportSize({ width: 900, height: 500 });
    await open(`#comment-${ids[12]}`);
    const target = widget(page).locator(`#comment-${ids[12]}`);
    await until(() => target.getAttribute('class'), (c) => /\btarget\b/.test(c ?? ''));
    await expect(target.locator('> article').evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).resolves.toBe(true);
    const inView = await target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
    expect(inView).toBe(true);
    // A link's own permalink keeps the page's address.
    await expect(target.locator('> article a.time').getAttribute('href')).resolves.toBe(`${publisher.origin}/article#comment-${ids[12]}`);
  });

  it('shows a closed thread without a form', async () => {
    await seed(1);
    await parley.database.db.updateTable('threads').set({ state: 'closed' }).where('id', '=', threadId).execute();
    await open();
    await widget(page).getByText('Comments are closed on this article.').waitFor();
    await expect(widget(page).getByRole('textbox').count()).resolves.toBe(0);
    await expect(widget(page).getByRole('button', { name: /^Reply/ }).count()).resolves.toBe(0);
  });

  it('explains when the thread cannot be loaded, and retries', async () => {
    pages['/unknown'] = articlePage(parley.url, { site: 'no-such-site', key: 'x' });
    await page.goto(`${publisher.origin}/unknown`);
    await widget(page).getByRole('alert').getByText('The comments could not be loaded.').waitFor();
    await expect(widget(page).getByRole('alert').textContent()).resolves.toContain('site');
    await expect(widget(page).getByRole('button', { name: 'Try again' }).isVisible()).resolves.toBe(true);
  });
});
