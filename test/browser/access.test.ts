import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureDemo } from '../../server/seed/demo';
import { postComment } from '../helpers/factories';
import { articlePage, readerTakesTime, type PageLog, widget, type Publisher, useBrowserServers, openReader, closeReader, publishThread, axeViolations, focused, focusLands, tabTo } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';

jest.setTimeout(90_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
let context: BrowserContext;
let page: Page;
let log: PageLog;
const servers = useBrowserServers();
const { pages } = servers;

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});

let siteId: string;
let threadId: string;
beforeEach(async () => {
  await parley.reset();
  ({ siteId, threadId } = await publishThread(servers));
  ({ context, page, log } = await openReader(browser));
});
afterEach(() => closeReader({ context, log }));

describe('keyboard, screen readers and languages', () => {
  it('posts, replies and quotes with the keyboard alone', async () => {
    await postComment(parley, threadId, { body: 'Off with their heads.', name: 'Richard' });
    await page.goto(`${publisher.origin}/article`);
    await widget(page).getByRole('heading', { name: '1 comment' }).waitFor();

    await tabTo(page, /^TEXTAREA Comment/, 40);
    await page.keyboard.type('Typed with the keyboard.');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^INPUT Name/);
    await page.keyboard.type('Keys');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^INPUT Email/);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^INPUT Website/);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^INPUT Remember/);
    await page.keyboard.press('Tab');
    await readerTakesTime(page);
    expect(await focused(page)).toBe('BUTTON Post comment');
    await page.keyboard.press('Enter');
    await widget(page).getByRole('heading', { name: '2 comments' }).waitFor();
    // Focus lands on the new comment, so the reader hears what they posted. The count can move first,
    // from the live event, before the post's own answer arrives.
    await focusLands(page, /^ARTICLE/);

    await tabTo(page, /^BUTTON Reply: Richard/, 60);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatch(/^TEXTAREA Comment/);
    await page.keyboard.type('A reply I will cancel.');
    await page.keyboard.press('Escape');
    await expect(widget(page).getByText('Replying to').isVisible()).resolves.toBe(false);
    expect(await focused(page)).toMatch(/^ARTICLE/);

    await tabTo(page, /^BUTTON Quote: Richard/, 40);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatch(/^TEXTAREA Comment/);
    await page.keyboard.type('Agreed.');
    await readerTakesTime(page);
    await page.keyboard.press('Control+Enter');
    await widget(page).locator('.replies').getByText('Agreed.').waitFor();
    await expect(widget(page).locator('.replies blockquote').textContent()).resolves.toContain('Off with their heads.');
    // The honeypot is never reachable.
    const rows = await parley.database.db.selectFrom('comments').select(['body_src', 'parent_id']).orderBy('created_at').execute();
    expect(rows.map((r) => r.body_src)).toEqual(['Off with their heads.', 'Typed with the keyboard.', 'A reply I will cancel.\n\n> Off with their heads.\n\nAgreed.']);
  });

  it('renders in French when the page says lang="fr", and in English when data-lang overrides it', async () => {
    pages['/fr'] = articlePage(parley.url, { site: siteId, key: 'stand-off', lang: 'fr' });
    await page.goto(`${publisher.origin}/fr`);
    const w = widget(page);
    await w.getByRole('heading', { name: 'Aucun commentaire pour l’instant' }).waitFor();
    await expect(w.getByRole('textbox', { name: 'Commentaire' }).isVisible()).resolves.toBe(true);
    await expect(w.getByRole('combobox', { name: 'Trier par' }).isVisible()).resolves.toBe(true);
    await expect(w.getByText('Jamais publié.').isVisible()).resolves.toBe(true);
    await w.getByRole('textbox', { name: 'Commentaire' }).fill('Coupez-leur la tête !');
    await readerTakesTime(page);
    await w.getByRole('button', { name: 'Publier le commentaire' }).click();
    await w.getByRole('heading', { name: '1 commentaire' }).waitFor();
    await expect(w.locator('.author').first().textContent()).resolves.toBe('Anonyme');
    await expect(w.getByRole('button', { name: 'Répondre: Anonyme' }).isVisible()).resolves.toBe(true);

    pages['/fr-en'] = articlePage(parley.url, { site: siteId, key: 'stand-off', lang: 'fr', extra: 'data-lang="en"' });
    await page.goto(`${publisher.origin}/fr-en`);
    await widget(page).getByRole('heading', { name: '1 comment' }).waitFor();
  });

  it.each(['light', 'dark'] as const)('passes an accessibility check on the demo in the %s theme', async (theme) => {
    await ensureDemo(parley.app.deps, parley.url);
    await page.emulateMedia({ colorScheme: theme });
    await page.goto(`${parley.url}/demo?theme=${theme}`);
    await widget(page).getByRole('heading', { name: '24 comments' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // With the reply form open and a refusal on screen.
    await widget(page).getByRole('button', { name: 'Reply: Richard' }).first().click();
    await widget(page).getByRole('textbox', { name: 'Website' }).fill('nope');
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Hmm.');
    await widget(page).getByRole('button', { name: 'Post reply' }).click();
    await widget(page).locator('.field-website .field-error').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });
});
