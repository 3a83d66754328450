import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newId } from '../../server/ids';
import * as pollRepo from '../../server/polls/poll.repo';
import { postComment } from '../helpers/factories';
import { axeViolations, focused, type PageLog, readerTakesTime, tabTo, until, threadShown, widget, type Publisher, useBrowserServers, openReader, closeReader, publishThread } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';

jest.setTimeout(90_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
let context: BrowserContext;
let page: Page;
let log: PageLog;
const servers = useBrowserServers();

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});

let siteId: string;
let threadId: string;
beforeEach(async () => {
  await parley.reset();
  ({ siteId, threadId } = await publishThread(servers));
  ({ context, page, log } = await openReader(browser, { acceptDownloads: true }));
});
// Every request and socket went to the publisher or to Parley (a download is a blob: of the page).
afterEach(() => closeReader({ context, log }, [publisher.origin, parley.url, parley.url.replace(/^http/, 'ws'), `blob:${publisher.origin}`]));

const w = () => widget(page);
const open = async (hash = '') => {
  await page.goto(`${publisher.origin}/article${hash}`);
  await threadShown(page);
};
/** The list item of the comment whose own text (not its replies') is `text`. */
const comment = (text: string) => w().locator('li.c').filter({ has: page.locator(':scope > article .body').getByText(text, { exact: true }) });

async function post(text: string, name?: string) {
  if (name !== undefined) await w().getByRole('textbox', { name: 'Name' }).fill(name);
  await w().getByRole('textbox', { name: 'Comment' }).fill(text);
  await readerTakesTime(page);
  await w().getByRole('button', { name: /^Post (comment|reply)$/ }).click();
  await comment(text).waitFor();
}

const rows = () => parley.database.db.selectFrom('comments').selectAll().orderBy('created_at').execute();

describe('a reader’s own comments', () => {
  it('edits within the window, keeps the text through a refusal, and deletes to a tombstone', async () => {
    await open();
    await post('Insolvency sprigns to mind.', 'Richard');
    const mine = comment('Insolvency sprigns to mind.');
    await mine.getByRole('button', { name: 'Edit: Richard' }).click();
    const box = w().getByRole('textbox', { name: 'Your comment' });
    await expect(box.inputValue()).resolves.toBe('Insolvency sprigns to mind.');

    // An empty text is refused by the server; the refusal is shown in its words and nothing is lost.
    await box.fill('   ');
    await w().getByRole('button', { name: 'Save' }).click();
    await w().locator('form.mini .alert p').waitFor();
    await expect(w().locator('form.mini .alert').textContent()).resolves.toMatch(/comment|body|valid/i);
    await box.fill('Insolvency springs to mind.');
    await w().getByRole('button', { name: 'Save' }).click();
    const fixed = comment('Insolvency springs to mind.');
    await fixed.waitFor();
    await expect(fixed.locator('> article .edited').textContent()).resolves.toBe('edited');
    expect((await rows())[0]!.body_src).toBe('Insolvency springs to mind.');

    // Past the window the Edit button is gone (the server's editableUntil decides).
    await page.clock.fastForward(16 * 60_000);
    await page.reload();
    await fixed.waitFor();
    await expect(fixed.getByRole('button', { name: 'Edit: Richard' }).count()).resolves.toBe(0);

    await fixed.getByRole('button', { name: 'Delete: Richard' }).click();
    await w().getByText('Delete this comment? Replies to it stay.').waitFor();
    await w().locator('form.mini').getByRole('button', { name: 'Delete' }).click();
    await w().getByText('This comment was deleted.').waitFor();
    expect((await rows())[0]!.status).toBe('deleted');
  });

  it('edits, likes and reports with the keyboard alone', async () => {
    await postComment(parley, threadId, { body: 'Off with their heads.', name: 'Richard' });
    await open();
    await w().getByRole('textbox', { name: 'Comment' }).fill('Mine, with a typo: teh.');
    await readerTakesTime(page);
    await w().getByRole('button', { name: 'Post comment' }).click();
    await comment('Mine, with a typo: teh.').waitFor();

    // Focus is on the new comment; Tab reaches its Edit button, Enter opens the text to edit.
    await tabTo(page, /^BUTTON Edit: Anonymous/);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('TEXTAREA Your comment');
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('the.');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('BUTTON Save');
    await page.keyboard.press('Enter');
    await comment('Mine, with a typo: the.').waitFor();

    // Like Richard's comment, then open a report and leave it with Escape: focus returns to the button.
    await tabTo(page, /^BUTTON Like: Richard/);
    await page.keyboard.press('Enter');
    await until(() => focused(page), (f) => f === 'BUTTON Like: Richard (1)');
    await tabTo(page, /^BUTTON Report: Richard/);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('SELECT Reason');
    await page.keyboard.press('Escape');
    expect(await focused(page)).toBe('BUTTON Report: Richard');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Spam, I think.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await comment('Off with their heads.').getByText('Reported', { exact: true }).waitFor();
    const flags = await parley.database.db.selectFrom('flags').select(['reason', 'note']).execute();
    expect(flags).toEqual([{ reason: 'spam', note: 'Spam, I think.' }]);
  });

  it('shows "awaiting moderation" to the author only', async () => {
    await parley.database.db.updateTable('threads').set({ mode: 'pre' }).where('id', '=', threadId).execute();
    await open();
    await post('Held for a moderator.', 'Pat');
    await expect(comment('Held for a moderator.').getByRole('note').textContent()).resolves.toBe('Awaiting moderation. Only you can see this comment for now.');
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(`${publisher.origin}/article`);
    await widget(p2).getByRole('heading', { name: 'No comments yet' }).waitFor();
    await threadShown(p2);
    await expect(widget(p2).getByText('Held for a moderator.').count()).resolves.toBe(0);
    await other.close();
  });

  it('likes, reports with a reason, and quotes a comment into a reply', async () => {
    await postComment(parley, threadId, { body: 'Off with their heads.\n\nAll of them.', name: 'Richard' });
    await open();
    const richard = comment('Off with their heads.');
    const like = richard.getByRole('button', { name: /^Like: Richard/ });
    await like.click();
    await until(() => like.getAttribute('aria-pressed'), (v) => v === 'true');
    await expect(like.getAttribute('aria-label')).resolves.toBe('Like: Richard (1)');
    await expect(like.textContent()).resolves.toBe('♥ Like 1');
    expect((await rows())[0]!.reaction_count).toBe(1);

    await richard.getByRole('button', { name: 'Report: Richard' }).click();
    await w().getByRole('combobox', { name: 'Reason' }).selectOption('off_topic');
    await w().getByRole('textbox', { name: 'Note for the moderators (optional)' }).fill('About a different article.');
    expect(await axeViolations(page)).toEqual([]);
    await w().locator('form.mini').getByRole('button', { name: 'Send' }).click();
    await richard.getByText('Reported', { exact: true }).waitFor();
    const flags = await parley.database.db.selectFrom('flags').selectAll().execute();
    expect(flags.map((f) => [f.reason, f.note])).toEqual([['off_topic', 'About a different article.']]);
    // After a reload the page still knows this reader reported it.
    await page.reload();
    await comment('Off with their heads.').getByText('Reported', { exact: true }).waitFor();

    await comment('Off with their heads.').getByRole('button', { name: 'Quote: Richard' }).click();
    await expect(w().getByRole('textbox', { name: 'Comment' }).inputValue()).resolves.toBe('> Off with their heads.\n>\n> All of them.\n\n');
    await w().getByRole('textbox', { name: 'Comment' }).press('End');
    await page.keyboard.type('Not all of them.');
    await readerTakesTime(page);
    await w().getByRole('button', { name: 'Post reply' }).click();
    const reply = w().locator('.replies li.c').first();
    await reply.locator('blockquote').waitFor();
    await expect(reply.locator('blockquote').textContent()).resolves.toContain('Off with their heads.');
    await expect(reply.locator('> article .body > p').last().textContent()).resolves.toBe('Not all of them.');
  });

  it('shows "voted: …" next to the author’s comments once they choose to, from the your-data panel', async () => {
    const db = parley.database.db;
    await db.transaction().execute((trx) =>
      pollRepo.insertPoll(
        trx,
        { id: newId(), site_id: siteId, thread_id: threadId, question: 'If you were Queen?', kind: 'single', max_choices: 1, visibility: 'always', network_cap: 50, closes_at: null, created_by: null },
        ['A wave of the wand', 'A stroke of the pen'].map((label) => ({ id: newId(), label })),
      ),
    );
    await open();
    await w().getByRole('radio', { name: 'A wave of the wand' }).check();
    await w().getByRole('button', { name: 'Vote' }).click();
    await w().getByText('1 person voted.').waitFor();
    await post('I know what I would do.', 'Morgana');
    await expect(comment('I know what I would do.').locator('.voted').count()).resolves.toBe(0);

    await w().getByRole('button', { name: 'Your data' }).click();
    const toggle = w().getByRole('checkbox', { name: 'Show my poll vote next to my comments' });
    await expect(toggle.isChecked()).resolves.toBe(false);
    await toggle.check();
    // The change reaches the page live, and every other reader's too.
    await comment('I know what I would do.').locator('.voted').waitFor();
    await expect(comment('I know what I would do.').locator('.voted').textContent()).resolves.toBe('voted: A wave of the wand');
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(`${publisher.origin}/article`);
    await expect(widget(p2).locator('.voted').textContent()).resolves.toBe('voted: A wave of the wand');
    await other.close();
  });
});
