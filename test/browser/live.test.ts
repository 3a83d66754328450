import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newId } from '../../server/ids';
import * as pollRepo from '../../server/polls/poll.repo';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { articlePage, axeViolations, openPage, type PageLog, readerTakesTime, until, threadShown, widget, type Publisher, useBrowserServers } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { apiKey } from '../helpers/staff';

jest.setTimeout(90_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
const servers = useBrowserServers();
const { pages } = servers;
/** Two readers, each in their own browser context (their own storage, their own socket). */
let contexts: BrowserContext[] = [];
let logs: PageLog[] = [];

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});

let threadId: string;
let richardId: string;
beforeEach(async () => {
  await parley.reset();
  const db = parley.database.db;
  const site = await buildSite(db, { origins: [publisher.origin] });
  threadId = (await buildThread(db, site.id, { key: 'stand-off' })).id;
  await db.transaction().execute((trx) =>
    pollRepo.insertPoll(
      trx,
      { id: newId(), site_id: site.id, thread_id: threadId, question: 'If you were Queen?', kind: 'single', max_choices: 1, visibility: 'always', network_cap: 50, closes_at: null, created_by: null },
      ['A wave of the wand', 'A stroke of the pen', 'A Jedi mind-trick'].map((label) => ({ id: newId(), label })),
    ),
  );
  richardId = (await postComment(parley, threadId, { body: 'Off with their heads.', name: 'Richard' })).body.comment.id;
  pages['/article'] = articlePage(parley.url, { site: site.id, key: 'stand-off' });
});
afterEach(async () => {
  for (const log of logs) expect(log.errors).toEqual([]);
  for (const c of contexts) await c.close();
  contexts = [];
  logs = [];
});

async function reader(): Promise<{ page: Page; log: PageLog }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const opened = await openPage(context);
  logs.push(opened.log);
  await opened.page.goto(`${publisher.origin}/article`);
  await threadShown(opened.page);
  // Live updates load after first paint: wait for the socket.
  await until(() => Promise.resolve(opened.log.requests.some((u) => u.startsWith('ws://'))), Boolean);
  return opened;
}

const topLevelTexts = (page: Page) => widget(page).locator('ol.list > li.c > article .body').allTextContents();

describe('live updates between two readers', () => {
  it('shows new comments behind a bar, replies and edits in place, and the poll moving', async () => {
    const [a, b] = [await reader(), await reader()];
    const w = widget(a.page);
    await expect(w.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('1 comment');

    // B posts a comment: A sees a bar, not text jumping under their eyes.
    await widget(b.page).getByRole('textbox', { name: 'Comment' }).fill('Arrives while you read.');
    await readerTakesTime(b.page);
    await widget(b.page).getByRole('button', { name: 'Post comment' }).click();
    const bar = w.getByRole('button', { name: 'Show 1 new comment' });
    await bar.waitFor();
    expect(await topLevelTexts(a.page)).toEqual(['Off with their heads.']);
    expect(await axeViolations(a.page)).toEqual([]);
    await expect(w.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('2 comments');
    // B does not get a bar for their own comment.
    await expect(widget(b.page).locator('.newbar').isVisible()).resolves.toBe(false);
    await bar.click();
    expect(await topLevelTexts(a.page)).toEqual(['Off with their heads.', 'Arrives while you read.']);
    await expect(bar.isVisible()).resolves.toBe(false);

    // B replies to Richard: the reply appears under Richard's comment at once.
    await widget(b.page).getByRole('button', { name: 'Reply: Richard' }).click();
    await widget(b.page).getByRole('textbox', { name: 'Comment' }).fill('A reply that appears in place.');
    await readerTakesTime(b.page);
    await widget(b.page).getByRole('button', { name: 'Post reply' }).click();
    await w.locator(`#comment-${richardId} .replies`).getByText('A reply that appears in place.').waitFor();
    await expect(w.locator('.newbar').isVisible()).resolves.toBe(false);
    // Both readers count it once, whichever arrived first for B: the live event or the answer to the post.
    for (const p of [a.page, b.page]) await until(() => widget(p).getByRole('heading', { level: 2 }).textContent(), (t) => t === '3 comments');
    await expect(widget(b.page).getByRole('heading', { level: 2 }).textContent()).resolves.toBe('3 comments');

    // B edits their comment: A sees the new words and the "edited" mark.
    const mine = widget(b.page).locator('li.c', { hasText: 'Arrives while you read.' }).first();
    await mine.getByRole('button', { name: /^Edit/ }).click();
    await widget(b.page).getByRole('textbox', { name: 'Your comment' }).fill('Arrives while you read, and changes.');
    await widget(b.page).getByRole('button', { name: 'Save' }).click();
    await w.getByText('Arrives while you read, and changes.').waitFor();
    await expect(w.locator('li.c', { hasText: 'Arrives while you read, and changes.' }).locator('.edited').first().isVisible()).resolves.toBe(true);

    // A votes and sees the results; then B votes, and A's results move without a reload.
    await w.getByRole('radio', { name: 'A wave of the wand' }).check();
    await w.getByRole('button', { name: 'Vote' }).click();
    await w.getByText('1 person voted.').waitFor();
    await widget(b.page).getByRole('radio', { name: 'A stroke of the pen' }).check();
    await widget(b.page).getByRole('button', { name: 'Vote' }).click();
    await widget(b.page).getByText('2 people voted.').waitFor();
    await w.getByText('2 people voted.').waitFor();
    await expect(w.locator('.bars li', { hasText: 'A stroke of the pen' }).locator('.pct').textContent()).resolves.toBe('50% · 1 vote');
    // A's own choice is still marked as theirs.
    await expect(w.locator('.bars li.mine').textContent()).resolves.toContain('A wave of the wand');

    // B deletes their comment: A sees the tombstone in place.
    await widget(b.page).locator('li.c', { hasText: 'and changes.' }).first().getByRole('button', { name: /^Delete/ }).click();
    await widget(b.page).locator('form.mini').getByRole('button', { name: 'Delete' }).click();
    await widget(b.page).getByText('This comment was deleted.').waitFor();
    await until(() => topLevelTexts(a.page), (t) => !t.includes('Arrives while you read, and changes.'));
    await expect(w.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('2 comments');

    // Every request and socket of both pages went to the publisher or to Parley, nowhere else.
    const parleyWs = parley.url.replace(/^http/, 'ws');
    for (const log of logs) {
      const foreign = log.requests.filter((u) => !u.startsWith(publisher.origin) && !u.startsWith(parley.url) && !u.startsWith(parleyWs));
      expect(foreign).toEqual([]);
    }
  });

  it('catches up on what was missed while the connection was down', async () => {
    const a = await reader();
    await a.page.context().setOffline(true);
    await postComment(parley, threadId, { body: 'Posted while you were offline.', parentId: richardId });
    await a.page.context().setOffline(false);
    await widget(a.page).locator(`#comment-${richardId} .replies`).getByText('Posted while you were offline.').waitFor({ timeout: 20_000 });
  });

  it('shows slow mode the moment staff switch it on, and counts down after each post', async () => {
    const a = await reader();
    const w = widget(a.page);
    const siteId = (await parley.database.db.selectFrom('threads').select('site_id').where('id', '=', threadId).executeTakeFirstOrThrow()).site_id;
    const cms = await apiKey(parley, siteId);
    await cms.call('patch', `/threads/${threadId}`, { slowModeSeconds: 30 }).expect(200);
    const note = w.locator('.form-home form.form .note.slow');
    // Shown in the form (and announced in the status line for screen readers).
    await until(() => note.textContent(), (t) => t === 'Slow mode: one comment every 30 s.');
    const post = w.getByRole('button', { name: 'Post comment' });

    await w.getByRole('textbox', { name: 'Comment' }).fill('A first thought, slowly.');
    await readerTakesTime(a.page);
    await post.click();
    await w.locator('ol.list').getByText('A first thought, slowly.').waitFor();
    await until(() => note.textContent(), (t) => /^You can post again in (30|29|28) s\.$/.test(t ?? ''));
    await until(() => post.isDisabled(), Boolean);

    // Once the time has passed in the browser, the button is back.
    await a.page.clock.fastForward(31_000);
    await until(() => post.isEnabled(), Boolean);
    await until(() => note.textContent(), (t) => t === 'Slow mode: one comment every 30 s.');

    // The server's answer decides: still too early there, so the countdown starts from its Retry-After.
    await w.getByRole('textbox', { name: 'Comment' }).fill('A second thought, too soon.');
    await readerTakesTime(a.page);
    await post.click();
    await until(() => note.textContent(), (t) => /^You can post again in \d+ s\.$/.test(t ?? ''));
    await until(() => post.isDisabled(), Boolean);
    await expect(w.getByRole('textbox', { name: 'Comment' }).inputValue()).resolves.toBe('A second thought, too soon.');
    expect(await parley.database.db.selectFrom('comments').select('id').where('thread_id', '=', threadId).execute()).toHaveLength(2);

    parley.app.deps.clock.advance(31_000);
    await a.page.clock.fastForward(31_000);
    await until(() => post.isEnabled(), Boolean);
    await post.click();
    await w.locator('ol.list').getByText('A second thought, too soon.').waitFor();

    await until(() => post.isDisabled(), Boolean);

    // Staff switch it off: the note goes and the reader may post at once, live.
    await cms.call('patch', `/threads/${threadId}`, { slowModeSeconds: null }).expect(200);
    await until(() => note.isVisible(), (v) => !v);
    await until(() => post.isEnabled(), Boolean);
  });

  it('closes the form the moment staff close the thread, and brings it back when they reopen it', async () => {
    const a = await reader();
    const form = widget(a.page).locator('.form-home form.form textarea');
    await form.first().waitFor();
    await form.first().fill('A thought I was still typing');
    const siteId = (await parley.database.db.selectFrom('threads').select('site_id').where('id', '=', threadId).executeTakeFirstOrThrow()).site_id;
    const cms = await apiKey(parley, siteId);
    await cms.call('patch', `/threads/${threadId}`, { state: 'closed' }).expect(200);
    await widget(a.page).getByText('Comments are closed on this article.').first().waitFor();
    expect(await form.first().isVisible()).toBe(false);
    expect(await widget(a.page).locator(`#comment-${richardId} button.reply`).count()).toBe(1);
    expect(await widget(a.page).locator(`#comment-${richardId} button.reply`).isVisible()).toBe(false);

    await cms.call('patch', `/threads/${threadId}`, { state: 'open' }).expect(200);
    await form.first().waitFor({ state: 'visible' });
    expect(await widget(a.page).getByText('Comments are closed on this article.').count()).toBe(0);
    // What the reader was typing is still there.
    expect(await form.first().inputValue()).toBe('A thought I was still typing');
  });
});
