import { startTestParley } from '../helpers/parley';
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { postComment } from '../helpers/factories';
import { axeViolations, type PageLog, readerTakesTime, tabTo, until, threadShown, widget, type Publisher, useBrowserServers, openReader, closeReader, publishThread } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';

jest.setTimeout(90_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
let context: BrowserContext;
let page: Page;
let log: PageLog;
// Seeding posts many comments from one network in seconds: the abuse speed signal would hold them.
const servers = useBrowserServers(() => startTestParley({ PARLEY_RATE_LIMITS: 'off' }));

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});

let threadId: string;
beforeEach(async () => {
  await parley.reset();
  ({ threadId } = await publishThread(servers));
  ({ context, page, log } = await openReader(browser, { acceptDownloads: true }));
});
// Every request and socket went to the publisher or to Parley (a download is a blob: of the page).
afterEach(() => closeReader({ context, log }, [publisher.origin, parley.url, parley.url.replace(/^http/, 'ws'), `blob:${publisher.origin}`]));

const w = () => widget(page);
const open = async (hash = '') => {
  await page.goto(`${publisher.origin}/article${hash}`);
  await threadShown(page);
};

describe('permalinks beyond the first page', () => {
  it('loads, scrolls to and highlights a reply whose thread is not on the first page', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 25; i++) ids.push((await postComment(parley, threadId, { body: `Comment number ${i}`, name: `Reader ${i}` })).body.comment.id);
    const root = ids[23]!;
    const replies: string[] = [];
    for (let i = 1; i <= 5; i++) replies.push((await postComment(parley, threadId, { body: `Reply number ${i}`, parentId: root })).body.comment.id);
    const target = replies[4]!;

    await page.setViewportSize({ width: 900, height: 600 });
    await open(`#comment-${target}`);
    const el = w().locator(`#comment-${target}`);
    await until(() => el.getAttribute('class'), (c) => /\btarget\b/.test(c ?? ''));
    await expect(el.locator('> article .body').textContent()).resolves.toBe('Reply number 5');
    // It sits under its own comment, which is shown with it.
    await expect(w().locator(`#comment-${root} > ol.replies > #comment-${target}`).count()).resolves.toBe(1);
    await expect(w().locator(`#comment-${root} > article .body`).textContent()).resolves.toBe('Comment number 24');
    await expect(el.locator('> article').evaluate((a) => a === (a.getRootNode() as ShadowRoot).activeElement)).resolves.toBe(true);
    const inView = await el.evaluate((e) => {
      const r = e.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
    expect(inView).toBe(true);

    // Loading more later does not show the linked comments twice.
    await w().getByRole('button', { name: 'Show more comments' }).click();
    await until(() => w().locator('ol.list > li.c').count(), (n) => n === 25);
    await expect(w().locator(`#comment-${root}`).count()).resolves.toBe(1);
  });

  it('says so when the linked comment does not exist', async () => {
    await open('#comment-0000000000000000');
    await w().getByRole('alert').getByText(/not found|does not exist/i).waitFor();
  });
});

describe('the "your data" panel', () => {
  it('explains in plain words, downloads everything held, and erases it, after which the browser forgets the reader', async () => {
    await postComment(parley, threadId, { body: 'Somebody else’s comment.', name: 'Pat' });
    await open();
    await w().getByRole('textbox', { name: 'Name' }).fill('Richard Roe');
    await w().getByRole('textbox', { name: 'Email' }).fill('richard@roe.example');
    await w().getByRole('textbox', { name: 'Comment' }).fill('Corporate death penalty, obviously.');
    await readerTakesTime(page);
    await w().getByRole('button', { name: 'Post comment' }).click();
    await w().locator('.author', { hasText: 'Richard Roe' }).waitFor();

    // With the keyboard alone: Tab to the panel's button and open it.
    await tabTo(page, /^BUTTON Your data$/);
    await page.keyboard.press('Enter');
    const panel = w().getByRole('region', { name: 'Your data' });
    await panel.getByRole('heading', { name: 'Your data on The Daily Example' }).waitFor();
    await expect(panel.textContent()).resolves.toMatch(/Never your IP address/);
    expect(await axeViolations(page)).toEqual([]);

    const downloading = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download my data' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^parley-data-\d{4}-\d{2}-\d{2}\.json$/);
    const file = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
    const text = JSON.stringify(file);
    expect(text).toContain('Richard Roe');
    expect(text).toContain('richard@roe.example');
    expect(text).toContain('Corporate death penalty, obviously.');
    expect(text).not.toContain('Somebody else');

    await panel.getByRole('button', { name: 'Erase my data' }).click();
    await panel.getByText(/Erase everything this site holds about you/).waitFor();
    await panel.locator('.danger').click();
    await panel.getByRole('status').getByText('Your data was erased. This browser has forgotten you.').waitFor();
    await panel.getByText('You have not commented or voted in this browser, so it holds no key to your data.').waitFor();

    // The name is gone from the thread, and from the form and storage of this browser.
    // (A comment without replies leaves no tombstone behind.)
    await until(() => w().locator('ol.list').textContent(), (t) => !/Richard Roe|Corporate death penalty/.test(t ?? '') && (t ?? '').includes('Somebody else'));
    await expect(w().getByRole('textbox', { name: 'Name' }).inputValue()).resolves.toBe('');
    const stored = await page.evaluate(() => JSON.stringify(localStorage));
    expect(stored).not.toMatch(/ct_|Richard Roe|richard@roe/);
    await page.reload();
    await threadShown(page);
    await expect(w().getByText('Richard Roe').count()).resolves.toBe(0);
    await w().getByText('Somebody else’s comment.').waitFor();
    const rows = await parley.database.db.selectFrom('commenters').selectAll().execute();
    expect(JSON.stringify(rows)).not.toMatch(/Richard Roe|richard@roe/);
  });
});
