import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { hashSecret, newId, newSecret } from '../../server/ids';
import { launchBrowser } from '../helpers/browser';
import { buildSite, buildThread } from '../helpers/factories';
import { postAs, startPrivacyParley, type PrivacyParley } from './helpers';

jest.setTimeout(60_000);

let parley: PrivacyParley;
let browser: Browser;
beforeAll(async () => {
  [parley, browser] = await Promise.all([
    startPrivacyParley(),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await parley?.close();
});
beforeEach(() => parley.reset());

/** A reader who commented, and a pending mailed link for them (as the request endpoint leaves it). */
async function linkFor(kind: 'export' | 'erase', locale: 'en' | 'fr' = 'en') {
  const site = await buildSite(parley.db, { settings: { locale } });
  const thread = await buildThread(parley.db, site.id);
  const posted = await postAs(parley, thread.id, { body: 'Zut alors ! Raclage crapuleux !', name: 'Camille', email: 'camille@example.fr' });
  const token = newSecret('pl');
  await parley.db
    .insertInto('privacy_requests')
    .values({ id: newId(), site_id: site.id, kind, channel: 'mail', email: 'camille@example.fr', token_hash: hashSecret(token), expires_at: new Date(Date.now() + 3_600_000) })
    .execute();
  return { url: `${parley.url}/api/v1/privacy/link?token=${token}`, commentId: posted.body.comment.id as string, thread };
}

async function open(url: string) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  // Script errors and CSP violations, and failed loads other than the favicon nobody serves.
  page.on('console', (m) => (m.type() === 'error' && !m.text().startsWith('Failed to load resource') ? problems.push(m.text()) : undefined));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => (r.status() >= 400 && !r.url().endsWith('/favicon.ico') ? problems.push(`${r.status()} ${r.url()}`) : undefined));
  await page.goto(url);
  return { context, page, problems };
}

describe('the mailed link, in a browser', () => {
  it('shows a confirmation, and erases only when the button is pressed', async () => {
    const { url, commentId } = await linkFor('erase');
    const { context, page, problems } = await open(url);
    try {
      await page.getByRole('heading', { name: 'Erase your data' }).waitFor();
      // Opening the link (as a mail scanner would) changed nothing.
      const before = await parley.db.selectFrom('comments').select('status').where('id', '=', commentId).executeTakeFirstOrThrow();
      expect(before.status).toBe('approved');

      await page.getByRole('button', { name: 'Erase my data' }).click();
      await page.getByRole('heading', { name: 'Your data has been erased.' }).waitFor();
      const after = await parley.db.selectFrom('comments').selectAll().where('id', '=', commentId).executeTakeFirstOrThrow();
      expect(after).toMatchObject({ status: 'deleted', author_name: null, body_src: '', commenter_id: null });
      expect(await parley.db.selectFrom('commenters').selectAll().execute()).toEqual([]);

      expect(problems).toEqual([]);

      // Open the link again: it was used, and the page says so in words.
      const reused = await page.goto(url);
      expect(reused!.status()).toBe(410);
      await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('downloads the export as a file, in the site’s language', async () => {
    const { url, commentId } = await linkFor('export', 'fr');
    const { context, page, problems } = await open(url);
    try {
      await page.getByRole('heading', { name: 'Télécharger vos données' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger mes données' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^parley-export-.*\.json$/);
      const file = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
      expect(file.export.identities[0].comments[0]).toMatchObject({ id: commentId, bodySource: 'Zut alors ! Raclage crapuleux !' });
      expect(file.export.identities[0].commenter).toMatchObject({ name: 'Camille', email: 'camille@example.fr' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
