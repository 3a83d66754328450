import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { articlePage, openPage, type PageLog, threadShown, until, widget, type Publisher, useBrowserServers } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { addMember, apiKey } from '../helpers/staff';
import { axeViolations, signInOnPage, startDashboardParley } from './helpers';

jest.setTimeout(120_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
const servers = useBrowserServers(startDashboardParley);
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
  siteId = (await buildSite(parley.database.db, { origins: [publisher.origin] })).id;
  threadId = (await buildThread(parley.database.db, siteId, { key: 'stand-off' })).id;
  pages['/article'] = articlePage(parley.url, { site: siteId, key: 'stand-off' });
  // A publisher's dark page: the widget follows the reader's system theme on it.
  pages['/dark'] = pages['/article'].replace('<body>', '<body style="background:#11151b;color:#e7eaf0">');
});
afterEach(async () => {
  for (const log of logs) expect(log.errors).toEqual([]);
  for (const c of contexts) await c.close();
  contexts = [];
  logs = [];
});

async function open(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ colorScheme });
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const opened = await openPage(context);
  logs.push(opened.log);
  return opened.page;
}

/** A reader with the article open and its live connection up. */
async function reader(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await open(colorScheme);
  await page.goto(`${publisher.origin}/${colorScheme === 'dark' ? 'dark' : 'article'}`);
  await threadShown(page);
  await until(() => Promise.resolve(logs.at(-1)!.requests.some((u) => u.startsWith('ws://'))), Boolean);
  return page;
}

const post = async (body: string, name: string) => (await postComment(parley, threadId, { body, name })).body.comment.id as string;
const thread = (page: Page) => page.locator('article.thread').first();

describe('editors’ picks', () => {
  it('a comment featured in the dashboard shows in an open widget’s Picks tab and with a Pick badge, live', async () => {
    await post('The regulator was right.', 'Ana');
    const ben = await post('Pay the fine and move on.', 'Ben');
    const w = widget(await reader());
    const r = w.page();
    // No picks yet: no tabs, and the picks module is not even loaded.
    await expect(w.getByRole('tab').count()).resolves.toBe(0);
    expect(logs[0]!.requests.some((u) => u.includes('/widget/picks.'))).toBe(false);

    const dash = await open();
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']], { name: 'Mona Moderator' });
    await signInOnPage(dash, parley.url, moderator);
    await dash.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name: 'Threads' }).click();
    await thread(dash).getByRole('button', { name: 'Show comments' }).click();
    const feature = dash.getByRole('button', { name: 'Feature: Ben' });
    // Reachable with the keyboard: focused and pressed with Enter.
    await feature.focus();
    const started = Date.now();
    await dash.keyboard.press('Enter');
    const picksTab = w.getByRole('tab', { name: 'Picks (1)' });
    await picksTab.waitFor();
    const latency = Date.now() - started;
    process.stdout.write(`pick latency (dashboard click → Picks tab in an open widget): ${latency} ms\n`);
    await dash.getByText('Featured.').waitFor();

    // The badge in the main list, and the pick in its tab, by keyboard.
    await w.locator(`#comment-${ben} .badge.pick`).first().waitFor();
    await expect(w.locator(`#comment-${ben} > .card .badge.pick`).textContent()).resolves.toBe('Pick');
    await w.getByRole('tab', { name: 'Comments' }).focus();
    await r.keyboard.press('ArrowRight');
    await expect(picksTab.getAttribute('aria-selected')).resolves.toBe('true');
    const panel = w.getByRole('tabpanel');
    await panel.getByText('Pay the fine and move on.').waitFor();
    await expect(panel.getByText('The regulator was right.').count()).resolves.toBe(0);
    await expect(w.locator('ol.list').isVisible()).resolves.toBe(false);
    expect(await axeViolations(r)).toEqual([]);

    // Unfeatured in the dashboard: the tab empties, live.
    await dash.getByRole('button', { name: 'Unfeature: Ben' }).click();
    await w.getByRole('tab', { name: 'Picks (0)' }).waitFor();
    await panel.getByText('No picks yet.').waitFor();
    await w.locator(`#comment-${ben} > .card .badge.pick`).waitFor({ state: 'detached' });
    await r.keyboard.press('ArrowLeft');
    await expect(w.locator('ol.list').isVisible()).resolves.toBe(true);
  });
});

describe('Q&A', () => {
  it('a question answered in the dashboard moves to the top of an open widget with its answer, live (dark theme)', async () => {
    await post('When will the bridge reopen?', 'Ana');
    const ben = await post('Who pays for the repairs?', 'Ben');

    const dash = await open();
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']], { name: 'Mona Moderator' });
    await signInOnPage(dash, parley.url, moderator);
    await dash.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name: 'Threads' }).click();
    await thread(dash).getByLabel('Format').selectOption({ label: 'Questions and answers' });
    await dash.getByText('This thread is a Q&A: readers ask, staff replies are answers.').waitFor();

    const w = widget(await reader('dark'));
    const r = w.page();
    await w.getByRole('note').filter({ hasText: 'Questions and answers' }).waitFor();
    const tops = () => w.locator('ol.list > li.c > article .body').allTextContents();
    expect(await tops()).toEqual(['When will the bridge reopen?', 'Who pays for the repairs?']);

    // A journalist answers Ben's question from the dashboard.
    const journalist = await addMember(parley.database.db, [[siteId, 'journalist']], { name: 'Paul Ducklin' });
    const jd = await open();
    await signInOnPage(jd, parley.url, journalist);
    await thread(jd).getByRole('button', { name: 'Show comments' }).click();
    await jd.getByRole('button', { name: 'Answer Ben' }).click();
    await jd.getByLabel('Your reply').fill('The city pays, then bills the contractor.');
    const started = Date.now();
    await jd.getByRole('button', { name: 'Publish reply' }).click();

    await until(tops, (t) => t[0] === 'Who pays for the repairs?');
    process.stdout.write(`answer latency (dashboard publish → question on top in an open widget): ${Date.now() - started} ms\n`);
    const question = w.locator(`#comment-${ben}`);
    await expect(question.locator('> .card .badge.answered').textContent()).resolves.toBe('Answered');
    const answer = question.locator('> .replies > li.c').first();
    await expect(answer.locator('> .card .body').textContent()).resolves.toBe('The city pays, then bills the contractor.');
    await expect(answer.locator('> .card .badge.answer').textContent()).resolves.toBe('Answer');
    expect(await axeViolations(r)).toEqual([]);

    // A fresh page shows the same order, from the server.
    await r.reload();
    await threadShown(r);
    await until(tops, (t) => t[0] === 'Who pays for the repairs?');
    await expect(w.locator(`#comment-${ben} > .replies > li.c.answer`).count()).resolves.toBe(1);

    // A pick in a Q&A thread: the Picks tab, in the dark theme too.
    const key = await apiKey(parley, siteId);
    await key.call('post', `/moderation/comments/${ben}/decision`, { action: 'feature' }).expect(200);
    await w.getByRole('tab', { name: 'Picks (1)' }).click();
    await w.getByRole('tabpanel').getByText('Who pays for the repairs?').waitFor();
    expect(await axeViolations(r)).toEqual([]);
  });
});

describe('in French', () => {
  it('names the tab, the marks and the Q&A note in the reader’s language', async () => {
    const ana = await post('Quand le pont rouvrira-t-il ?', 'Ana');
    const key = await apiKey(parley, siteId);
    await key.call('post', `/moderation/comments/${ana}/decision`, { action: 'feature' }).expect(200);
    await key.call('patch', `/threads/${threadId}`, { format: 'qa' }).expect(200);
    pages['/fr'] = articlePage(parley.url, { site: siteId, key: 'stand-off', lang: 'fr' });
    const page = await open();
    await page.goto(`${publisher.origin}/fr`);
    await threadShown(page);
    const w = widget(page);
    await w.getByRole('tab', { name: 'Sélection (1)' }).waitFor();
    await w.getByRole('tab', { name: 'Commentaires' }).waitFor();
    await w.getByRole('note').filter({ hasText: 'Questions et réponses' }).waitFor();
    await expect(w.locator(`#comment-${ana} > .card .badge.pick`).textContent()).resolves.toBe('Sélection');
    await w.getByRole('tab', { name: 'Sélection (1)' }).click();
    await w.getByRole('tabpanel').getByRole('link', { name: 'Voir dans la discussion' }).click();
    await expect(w.locator('ol.list').isVisible()).resolves.toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });
});
