import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openPage, readerTakesTime, type PageLog, threadShown, widget, type Publisher, useBrowserServers, openReader, closeReader, publishArticle } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';

jest.setTimeout(60_000);

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
beforeEach(async () => {
  await parley.reset();
  siteId = await publishArticle(servers);
  ({ context, page, log } = await openReader(browser));
});
afterEach(() => closeReader({ context, log }));

const open = async (path = '/article') => {
  await page.goto(publisher.origin + path);
  await threadShown(page);
};
const commentBox = () => widget(page).getByRole('textbox', { name: 'Comment' });
/** The list item of the comment whose own text (not its replies') is `text`. */
const comment = (text: string) => widget(page).locator('li.c').filter({ has: page.locator(':scope > article .body').getByText(text, { exact: true }) });
const rows = () => parley.database.db.selectFrom('comments').selectAll().orderBy('created_at').execute();

async function post(text: string, name?: string) {
  if (name !== undefined) await widget(page).getByRole('textbox', { name: 'Name' }).fill(name);
  await commentBox().fill(text);
  await readerTakesTime(page);
  await widget(page).getByRole('button', { name: /^Post (comment|reply)$/ }).click();
  await comment(text).waitFor();
}

describe('the widget on a publisher’s page', () => {
  it('creates the thread, lets a reader post anonymously and then by name, and remembers them', async () => {
    await open();
    await expect(widget(page).getByRole('heading', { level: 2 }).textContent()).resolves.toBe('No comments yet');
    // This server sends no mail (no SMTP_URL): no notification is offered, and its module is never fetched.
    await expect(widget(page).getByRole('checkbox', { name: /by email/ }).count()).resolves.toBe(0);
    expect(log.requests.filter((url) => url.includes('/widget/notify.'))).toEqual([]);

    await post('First, anonymously.');
    const first = comment('First, anonymously.');
    await expect(first.locator('.author').first().textContent()).resolves.toBe('Anonymous');
    await expect(first.locator('.you').first().textContent()).resolves.toBe('(you)');
    await expect(widget(page).getByRole('heading', { level: 2 }).textContent()).resolves.toBe('1 comment');
    await expect(commentBox().inputValue()).resolves.toBe('');

    await post('Off with their heads.', 'Richard');
    await expect(comment('Off with their heads.').locator('.author').first().textContent()).resolves.toBe('Richard');

    // The browser holds the token (no cookie); both comments belong to the same commenter.
    const token = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':token'))?.[1]);
    expect(token).toMatch(/^ct_/);
    expect(await context.cookies()).toEqual([]);
    const stored = await rows();
    expect(stored).toHaveLength(2);
    expect(stored[0]!.author_name).toBeNull();
    expect(stored[1]!.author_name).toBe('Richard');
    expect(stored[1]!.commenter_id).toBe(stored[0]!.commenter_id);
    const thread = await parley.database.db.selectFrom('threads').selectAll().executeTakeFirstOrThrow();
    expect(thread).toMatchObject({ site_id: siteId, key: 'stand-off', url: `${publisher.origin}/article`, title: 'Stand-off' });

    // Next visit: the name is remembered and the reader's comments are marked as theirs.
    await open();
    await expect(widget(page).getByRole('textbox', { name: 'Name' }).inputValue()).resolves.toBe('Richard');
    // The heading shows at once; the list arrives with the first page.
    await comment('Off with their heads.').waitFor();
    await expect(widget(page).locator('.you').count()).resolves.toBe(2);
  });

  it('sends the honeypot and the time the form was open with every post', async () => {
    await open();
    await commentBox().fill('Timed.');
    await readerTakesTime(page);
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/comments')),
      widget(page).getByRole('button', { name: 'Post comment' }).click(),
    ]);
    const sent = request.postDataJSON();
    expect(sent).toMatchObject({ body: 'Timed.', hp: '' });
    expect(sent.elapsedMs).toBeGreaterThanOrEqual(2_500);
    expect(sent.elapsedMs).toBeLessThan(60_000);
    expect(request.headers()['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    await comment('Timed.').waitFor();
  });

  it('replies under a comment and quotes a comment into a reply', async () => {
    await open();
    await post('We need the corporate death penalty.', 'Bob');

    await widget(page).getByRole('button', { name: 'Reply: Bob' }).click();
    await expect(widget(page).getByText('Replying to').isVisible()).resolves.toBe(true);
    await expect(commentBox().evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).resolves.toBe(true);
    await post('Insolvency springs to mind.', 'Naked Security');
    const parent = comment('We need the corporate death penalty.');
    await parent.locator('.replies').getByText('Insolvency springs to mind.').waitFor();
    // The form went home after the reply.
    await expect(widget(page).getByText('Replying to').isVisible()).resolves.toBe(false);

    await widget(page).getByRole('button', { name: 'Quote: Bob' }).click();
    await expect(commentBox().inputValue()).resolves.toBe('> We need the corporate death penalty.\n\n');
    await commentBox().press('End');
    await commentBox().pressSequentially('Across jurisdictions?');
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post reply' }).click();
    const quoted = parent.locator('.replies li.c').filter({ hasText: 'Across jurisdictions?' });
    await quoted.waitFor();
    await expect(quoted.locator('blockquote').textContent()).resolves.toContain('We need the corporate death penalty.');

    const stored = await rows();
    expect(stored.filter((r) => r.parent_id === stored[0]!.id)).toHaveLength(2);
  });

  it('previews the comment exactly as it will be rendered', async () => {
    await open();
    await commentBox().fill('**Bold** and *soft*\n> quoted');
    await widget(page).getByRole('button', { name: 'Preview' }).click();
    const preview = widget(page).locator('.preview');
    await preview.locator('strong').waitFor();
    await expect(preview.innerHTML()).resolves.toContain('<blockquote>');
    await widget(page).getByRole('button', { name: 'Write' }).click();
    await expect(commentBox().inputValue()).resolves.toBe('**Bold** and *soft*\n> quoted');
    expect(await rows()).toHaveLength(0);
  });

  it('shows every refusal as the server’s message and never loses the text', async () => {
    await open();
    await commentBox().fill('A thoughtful comment.');
    await widget(page).getByRole('textbox', { name: 'Website' }).fill('not a web address');
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    const website = widget(page).getByRole('textbox', { name: 'Website' });
    await widget(page).locator('.field-website .field-error').waitFor();
    await expect(website.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(widget(page).locator('.field-website .field-error').textContent()).resolves.toBe('must be an absolute http(s) URL');
    await expect(widget(page).getByRole('alert').first().textContent()).resolves.toContain('not valid');
    await expect(commentBox().inputValue()).resolves.toBe('A thoughtful comment.');

    // A lost connection keeps the text too, and the same post succeeds once back online.
    await website.fill('');
    await context.setOffline(true);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await widget(page).getByText('Could not reach the comment server').waitFor();
    await expect(commentBox().inputValue()).resolves.toBe('A thoughtful comment.');
    await readerTakesTime(page);
    await context.setOffline(false);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await comment('A thoughtful comment.').waitFor();
    expect(await rows()).toHaveLength(1);
  });

  it('keeps an unsent draft across a reload', async () => {
    await open();
    await commentBox().fill('Half-written thought');
    await open();
    await expect(commentBox().inputValue()).resolves.toBe('Half-written thought');
  });

  it('tells the author, and only the author, that a comment awaits moderation', async () => {
    await parley.database.db.updateTable('sites').set({ settings: JSON.stringify({ moderation: 'pre' }) }).where('id', '=', siteId).execute();
    await open();
    await post('Please approve me.');
    await expect(comment('Please approve me.').getByRole('note').textContent()).resolves.toContain('Awaiting moderation');
    await expect(widget(page).getByRole('heading', { level: 2 }).textContent()).resolves.toBe('No comments yet');

    const other = await browser.newContext();
    const { page: stranger } = await openPage(other);
    await stranger.goto(`${publisher.origin}/article`);
    await threadShown(stranger);
    await expect(widget(stranger).getByText('Please approve me.').count()).resolves.toBe(0);
    await other.close();
  });
});
