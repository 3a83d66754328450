import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { articlePage, axeViolations, openPage, type PageLog, until, threadShown, widget, type Publisher, useBrowserServers } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { apiKey } from '../helpers/staff';

jest.setTimeout(90_000);

const HOUR = 3_600_000;
let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
const servers = useBrowserServers();
const { pages } = servers;
let contexts: BrowserContext[] = [];
let logs: PageLog[] = [];

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});

let siteId: string;
let threadId: string;
beforeEach(async () => {
  await parley.reset();
  // Each page starts at real time: so does the server's clock (an earlier test moved it).
  parley.app.deps.clock.advance(-parley.app.deps.clock.offsetMs());
  const db = parley.database.db;
  siteId = (await buildSite(db, { origins: [publisher.origin] })).id;
  threadId = (await buildThread(db, siteId, { key: 'stand-off' })).id;
  await postComment(parley, threadId, { body: 'Off with their heads.', name: 'Richard' });
  pages['/article'] = articlePage(parley.url, { site: siteId, key: 'stand-off' });
  // A dark article page, as a publisher's dark theme would be.
  pages['/article-fr'] = articlePage(parley.url, { site: siteId, key: 'stand-off', lang: 'fr', extra: 'data-theme="dark"' }).replace('<body>', '<body style="background:#14161a;color:#e8eaee">');
});
afterEach(async () => {
  for (const log of logs) expect(log.errors).toEqual([]);
  for (const c of contexts) await c.close();
  contexts = [];
  logs = [];
});

async function reader(path = '/article', colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; log: PageLog }> {
  const context = await browser.newContext({ colorScheme });
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const opened = await openPage(context);
  logs.push(opened.log);
  await opened.page.goto(`${publisher.origin}${path}`);
  await threadShown(opened.page);
  await until(() => Promise.resolve(opened.log.requests.some((u) => u.startsWith('ws://'))), Boolean);
  return opened;
}

const inHours = (h: number) => new Date(parley.app.deps.clock.now().getTime() + h * HOUR).toISOString();
/** Moves the server's clock and the page's together, as time passing would. */
async function timePasses(page: Page, ms: number): Promise<void> {
  parley.app.deps.clock.advance(ms);
  await page.clock.fastForward(ms);
}

describe('a thread that closes on a schedule, in an open widget', () => {
  it('counts down to the close time, follows staff changing it, and closes the form when it passes; the server refuses a post', async () => {
    const cms = await apiKey(parley, siteId);
    await cms.call('patch', `/threads/${threadId}`, { closesAt: inHours(3) }).expect(200);
    const { page, log } = await reader();
    const w = widget(page);
    const note = w.locator('.note.schedule');
    await until(() => note.textContent(), (t) => t === 'Comments close in 3 h');
    // Only a thread with a close time fetches the schedule module.
    expect(log.requests.filter((u) => /\/widget\/when\.[\w-]+\.js$/.test(u))).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);

    // Staff bring the close time forward: shown live, and said to screen readers.
    await cms.call('patch', `/threads/${threadId}`, { closesAt: inHours(2) }).expect(200);
    await until(() => note.textContent(), (t) => t === 'Comments close in 2 h');
    await until(() => w.locator('[role="status"]').textContent(), (t) => t === 'Comments close in 2 h');

    await timePasses(page, HOUR + 30 * 60_000);
    await until(() => note.textContent(), (t) => t === 'Comments close in 30 min');

    await timePasses(page, 30 * 60_000);
    await w.getByText('Comments are closed on this article.').first().waitFor();
    await until(() => w.locator('[role="status"]').textContent(), (t) => t === 'Comments are closed on this article.');
    expect(await w.locator('.form-home form.form textarea').first().isVisible()).toBe(false);
    expect(await note.isVisible()).toBe(false);

    const refused = await postComment(parley, threadId, { body: 'Just too late.' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('thread_closed');
    // The schedule's job then records the closing; the widget stays closed.
    await parley.app.deps.outbox.drain();
    await until(async () => (await parley.database.db.selectFrom('threads').select('state').where('id', '=', threadId).executeTakeFirstOrThrow()).state, (s) => s === 'closed');
    expect(await w.locator('.note.closed').count()).toBe(1);
  });

  it('says when a closed thread reopens, in French and in the dark theme, and opens the form then', async () => {
    const cms = await apiKey(parley, siteId);
    await cms.call('patch', `/threads/${threadId}`, { state: 'closed', reopensAt: inHours(5) }).expect(200);
    const { page } = await reader('/article-fr', 'dark');
    const w = widget(page);
    const note = w.locator('.note.schedule');
    await until(() => note.textContent(), (t) => t === 'Les commentaires rouvrent dans 5 h');
    await w.getByText('Les commentaires sont fermés sur cet article.').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await timePasses(page, 5 * HOUR);
    await w.locator('.form-home form.form textarea').first().waitFor({ state: 'visible' });
    await until(() => w.locator('[role="status"]').textContent(), (t) => t === 'Les commentaires sont de nouveau ouverts.');
    expect(await w.locator('.note.closed').count()).toBe(0);
    expect((await postComment(parley, threadId, { body: 'De retour.' })).status).toBe(201);
  });

  it('loads no schedule module for a thread without a close time, until staff give it one live; and hides it when they take it away', async () => {
    const { page, log } = await reader();
    const w = widget(page);
    await w.getByText('Off with their heads.').waitFor();
    expect(log.requests.filter((u) => u.includes('/widget/when.'))).toEqual([]);
    expect(await w.locator('.note.schedule').count()).toBe(0);

    const cms = await apiKey(parley, siteId);
    await cms.call('patch', `/threads/${threadId}`, { closesAt: inHours(50) }).expect(200);
    const note = w.locator('.note.schedule');
    await until(() => note.textContent(), (t) => t === 'Comments close in 2 days');
    await cms.call('patch', `/threads/${threadId}`, { closesAt: null }).expect(200);
    await until(() => note.isVisible(), (v) => !v);
    expect(await w.locator('.form-home form.form textarea').first().isVisible()).toBe(true);
  });
});
