import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureDemo } from '../../server/seed/demo';
import { postComment } from '../helpers/factories';
import { articlePage, readerTakesTime, type PageLog, widget, type Publisher, useBrowserServers, openReader, closeReader, publishThread } from '../helpers/browser';
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
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

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

/** What has focus, looking through shadow roots: "TAG label-or-text". */
const focused = () =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return '';
    const root = el.getRootNode() as ShadowRoot | Document;
    const labelled = el.id ? root.querySelector(`label[for="${el.id}"]`)?.textContent : null;
    const label = el.getAttribute('aria-label') ?? labelled ?? el.textContent ?? '';
    return `${el.tagName} ${label.trim()}`.trim();
  });

async function tabTo(pattern: RegExp, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (pattern.test(await focused())) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${pattern}; focus is on ${await focused()}`);
}

/** axe-core from node_modules, evaluated in the page (no CDN, and not an inline script the CSP would refuse). */
async function axeViolations(): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    }),
  );
  return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

describe('keyboard, screen readers and languages', () => {
  it('posts, replies and quotes with the keyboard alone', async () => {
    await postComment(parley, threadId, { body: 'Off with their heads.', name: 'Richard' });
    await page.goto(`${publisher.origin}/article`);
    await widget(page).getByRole('heading', { name: '1 comment' }).waitFor();

    await tabTo(/^TEXTAREA Comment/);
    await page.keyboard.type('Typed with the keyboard.');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^INPUT Name/);
    await page.keyboard.type('Keys');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^INPUT Email/);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^INPUT Website/);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^INPUT Remember/);
    await page.keyboard.press('Tab');
    await readerTakesTime(page);
    expect(await focused()).toBe('BUTTON Post comment');
    await page.keyboard.press('Enter');
    await widget(page).getByRole('heading', { name: '2 comments' }).waitFor();
    // Focus lands on the new comment, so the reader hears what they posted.
    expect(await focused()).toMatch(/^ARTICLE/);

    await tabTo(/^BUTTON Reply: Richard/, 60);
    await page.keyboard.press('Enter');
    expect(await focused()).toMatch(/^TEXTAREA Comment/);
    await page.keyboard.type('A reply I will cancel.');
    await page.keyboard.press('Escape');
    await expect(widget(page).getByText('Replying to').isVisible()).resolves.toBe(false);
    expect(await focused()).toMatch(/^ARTICLE/);

    await tabTo(/^BUTTON Quote: Richard/);
    await page.keyboard.press('Enter');
    expect(await focused()).toMatch(/^TEXTAREA Comment/);
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
    expect(await axeViolations()).toEqual([]);

    // With the reply form open and a refusal on screen.
    await widget(page).getByRole('button', { name: 'Reply: Richard' }).first().click();
    await widget(page).getByRole('textbox', { name: 'Website' }).fill('nope');
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Hmm.');
    await widget(page).getByRole('button', { name: 'Post reply' }).click();
    await widget(page).locator('.field-website .field-error').waitFor();
    expect(await axeViolations()).toEqual([]);
  });
});
