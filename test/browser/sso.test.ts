import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureDemo } from '../../server/seed/demo';
import { buildSite, buildThread } from '../helpers/factories';
import { articlePage, closeReader, openPage, openReader, readerTakesTime, threadShown, until, useBrowserServers, widget } from '../helpers/browser';
import { apiKey, member } from '../helpers/staff';
import { sign } from '../sso/helpers';

jest.setTimeout(120_000);

const servers = useBrowserServers();
const READER = { id: 4711, name: 'Ada Subscriber', email: 'ada.subscriber@example.org', subscriber: true };

/**
 * The signer exactly as docs/sso.md prints it, run as a publisher would run it: its own Node
 * process, with `jose` from the registry and the site's secret in the environment.
 */
function docsSigner(env: { secret: string; kid: string; site: string }): string {
  const doc = fs.readFileSync(path.join(__dirname, '../../docs/sso.md'), 'utf8');
  const code = /## A ten-line signer[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)![1]!;
  expect(code.trim().split('\n')).toHaveLength(10);
  const dir = fs.mkdtempSync(path.join(__dirname, '../../node_modules/.cache-docs-signer-'));
  try {
    fs.writeFileSync(path.join(dir, 'signer.mjs'), code);
    const run = `import { parleyToken } from './signer.mjs'; console.log(await parleyToken(${JSON.stringify(READER)}));`;
    return execFileSync(process.execPath, ['--input-type=module', '-e', run], {
      cwd: dir,
      env: { PATH: process.env.PATH, PARLEY_SSO_SECRET: env.secret, PARLEY_SSO_KID: env.kid, PARLEY_SITE: env.site },
    })
      .toString()
      .trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function ssoSite(mode: 'optional' | 'required', extra: Record<string, unknown> = {}) {
  const { parley, publisher } = servers;
  const site = await buildSite(parley.database.db, { origins: [publisher.origin], settings: { sso: { mode, ...extra } as never } });
  const thread = await buildThread(parley.database.db, site.id, { key: 'stand-off' });
  const admin = await member(parley, [[site.id, 'admin']], 'admin');
  const created = await admin.call('post', `/sites/${site.id}/sso/keys`, { kind: 'secret' });
  return { siteId: site.id, threadId: thread.id, kid: created.body.key.kid as string, secret: created.body.secret as string };
}

const signedInBar = (page: Page) => widget(page).locator('p.sso');

beforeEach(() => servers.parley.reset());

describe('readers signed in with the publisher’s accounts', () => {
  it('the docs’ signer signs a reader in with no click; their comment shows name and badge, and a second tab sees it live as theirs', async () => {
    const { parley, publisher, browser, pages } = servers;
    const site = await ssoSite('optional');
    const token = docsSigner({ secret: site.secret, kid: site.kid, site: site.siteId });
    pages['/article'] = articlePage(parley.url, { site: site.siteId, key: 'stand-off', extra: `data-sso-token="${token}"` });
    pages['/article-again'] = articlePage(parley.url, { site: site.siteId, key: 'stand-off' });

    const reader = await openReader(browser);
    const { page } = reader;
    await page.goto(`${publisher.origin}/article`);
    await threadShown(page);
    await expect(signedInBar(page).textContent()).resolves.toBe('Signed in as Ada Subscriber · Sign out');
    // The account gives the name: the form does not ask for one.
    await expect(widget(page).getByRole('textbox', { name: 'Name' }).isVisible()).resolves.toBe(false);

    // A second tab of the same reader: the page carries no token, the browser remembers the sign-in.
    const second = await openPage(reader.context);
    await second.page.goto(`${publisher.origin}/article-again`);
    await threadShown(second.page);
    await expect(signedInBar(second.page).textContent()).resolves.toMatch(/^Signed in as Ada Subscriber/);
    await until(() => Promise.resolve(second.log.requests.some((u) => u.startsWith('ws://'))), Boolean);

    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Commenting as a subscriber.');
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    const mine = widget(page).locator('li.c', { hasText: 'Commenting as a subscriber.' }).first();
    await mine.locator('.author', { hasText: 'Ada Subscriber' }).waitFor();
    await expect(mine.locator('.badge.reader').first().textContent()).resolves.toBe('Subscriber');
    await mine.locator('.you').first().waitFor();

    const w2 = widget(second.page);
    await w2.getByRole('button', { name: 'Show 1 new comment' }).click();
    const arrived = w2.locator('li.c', { hasText: 'Commenting as a subscriber.' }).first();
    await arrived.locator('.badge.reader', { hasText: 'Subscriber' }).waitFor();
    await arrived.locator('.you').first().waitFor();
    expect(second.log.errors).toEqual([]);

    // Sign out: the reader is anonymous again, and the form asks for a name.
    await signedInBar(page).getByRole('button', { name: 'Sign out' }).click();
    await widget(page).getByRole('textbox', { name: 'Name' }).waitFor();
    await expect(signedInBar(page).count()).resolves.toBe(0);
    await closeReader(reader, [publisher.origin, parley.url, parley.url.replace('http', 'ws')]);
  });

  it('the exchange: the page carries only a code, never the email, and the reader is signed in (in French)', async () => {
    const { parley, publisher, browser, pages } = servers;
    const site = await ssoSite('optional');
    const key = await apiKey(parley, site.siteId);
    const { body } = await key.call('post', '/sso/codes', { sub: '4711', name: READER.name, email: READER.email, badge: 'Abonnée' }).expect(201);
    const html = articlePage(parley.url, { site: site.siteId, key: 'stand-off', lang: 'fr', extra: `data-sso-code="${body.code}"` });
    pages['/article'] = html;
    expect(html).not.toContain(READER.email);

    const reader = await openReader(browser);
    await reader.page.goto(`${publisher.origin}/article`);
    await threadShown(reader.page);
    await expect(signedInBar(reader.page).textContent()).resolves.toBe('Connecté en tant que Ada Subscriber · Se déconnecter');
    expect(await reader.page.content()).not.toContain(READER.email);
    await closeReader(reader);
  });

  it('offers once to carry the reader’s earlier anonymous comments over, and shows them under the account', async () => {
    const { parley, publisher, browser, pages } = servers;
    const site = await ssoSite('optional');
    pages['/article'] = articlePage(parley.url, { site: site.siteId, key: 'stand-off' });
    const token = await sign(site.secret, { alg: 'HS256', kid: site.kid }, { aud: site.siteId, sub: '4711', name: READER.name, badge: 'Subscriber' });
    pages['/article-signed-in'] = articlePage(parley.url, { site: site.siteId, key: 'stand-off', extra: `data-sso-token="${token}"` });

    const reader = await openReader(browser);
    const { page } = reader;
    await page.goto(`${publisher.origin}/article`);
    await threadShown(page);
    await widget(page).getByRole('textbox', { name: 'Name' }).fill('ada42');
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Written before subscribing.');
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await widget(page).locator('li.c .author', { hasText: 'ada42' }).waitFor();

    // Another reader has the article open: they see the author change live.
    const bystander = await openReader(browser);
    await bystander.page.goto(`${publisher.origin}/article`);
    await threadShown(bystander.page);
    const seen = widget(bystander.page).locator('li.c', { hasText: 'Written before subscribing.' }).first();
    await seen.locator('.author', { hasText: 'ada42' }).waitFor();
    await until(() => Promise.resolve(bystander.log.requests.some((u) => u.startsWith('ws://'))), Boolean);

    await page.goto(`${publisher.origin}/article-signed-in`);
    await threadShown(page);
    const offer = widget(page).locator('p.sso', { hasText: 'Show under this account the 1 comment you wrote here before signing in?' });
    await offer.waitFor();
    await offer.getByRole('button', { name: 'Yes' }).click();
    const claimed = widget(page).locator('li.c', { hasText: 'Written before subscribing.' }).first();
    await claimed.locator('.author', { hasText: 'Ada Subscriber' }).waitFor();
    await claimed.locator('.badge.reader', { hasText: 'Subscriber' }).waitFor();
    await claimed.locator('.you').first().waitFor();
    await expect(offer.count()).resolves.toBe(0);

    // Asked once: the next page view of the signed-in reader does not ask again.
    await page.goto(`${publisher.origin}/article-signed-in`);
    await threadShown(page);
    await expect(signedInBar(page).first().textContent()).resolves.toBe('Signed in as Ada Subscriber · Sign out');
    await expect(signedInBar(page).count()).resolves.toBe(1);
    await seen.locator('.author', { hasText: 'Ada Subscriber' }).waitFor();
    await seen.locator('.badge.reader', { hasText: 'Subscriber' }).waitFor();
    expect(bystander.log.errors).toEqual([]);
    await closeReader(bystander);

    // The anonymous token was used up: after signing out the reader is a new anonymous one, who can post.
    await signedInBar(page).getByRole('button', { name: 'Sign out' }).click();
    await widget(page).getByRole('textbox', { name: 'Name' }).waitFor();
    await expect(widget(page).locator('li.c', { hasText: 'Written before subscribing.' }).first().locator('.you').count()).resolves.toBe(0);
    await widget(page).getByRole('textbox', { name: 'Name' }).fill('someone');
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Signed out again.');
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await widget(page).locator('li.c', { hasText: 'Signed out again.' }).first().locator('.you').first().waitFor();
    expect(reader.log.errors).toEqual([]);
    await closeReader(reader);
  });

  it('required: an anonymous reader reads, and is sent to the publisher’s sign-in page to comment', async () => {
    const { parley, publisher, browser, pages } = servers;
    const site = await ssoSite('required', { loginUrl: 'https://accounts.news.example/login' });
    pages['/article'] = articlePage(parley.url, { site: site.siteId, key: 'stand-off' });
    const reader = await openReader(browser);
    await reader.page.goto(`${publisher.origin}/article`);
    await threadShown(reader.page);
    const link = widget(reader.page).getByRole('link', { name: 'Sign in to comment' });
    const href = new URL((await link.getAttribute('href'))!);
    expect(`${href.origin}${href.pathname}`).toBe('https://accounts.news.example/login');
    expect(href.searchParams.get('returnTo')).toBe(`${publisher.origin}/article`);
    await expect(widget(reader.page).getByRole('textbox', { name: 'Comment' }).isVisible()).resolves.toBe(false);
    await closeReader(reader);
  });

  it('loads the sign-in code only on sites that use it', async () => {
    const { parley, publisher, browser, pages } = servers;
    const site = await buildSite(parley.database.db, { origins: [publisher.origin] });
    await buildThread(parley.database.db, site.id, { key: 'stand-off' });
    pages['/article'] = articlePage(parley.url, { site: site.id, key: 'stand-off' });
    const reader = await openReader(browser);
    await reader.page.goto(`${publisher.origin}/article`);
    await threadShown(reader.page);
    await until(() => Promise.resolve(reader.log.requests.some((u) => u.startsWith('ws://'))), Boolean);
    expect(reader.log.requests.filter((u) => u.includes('/widget/sso.'))).toEqual([]);
    await closeReader(reader);
  });

  it('/demo/sso: "Sign in as a subscriber" signs the visitor in on the demo article', async () => {
    const { parley, browser } = servers;
    await ensureDemo(parley.app.deps, parley.origin);
    const reader = await openReader(browser);
    await reader.page.goto(`${parley.url}/demo/sso`);
    await threadShown(reader.page);
    await reader.page.getByRole('button', { name: 'Sign in as a subscriber' }).click();
    // The widget renders again, signed in.
    await signedInBar(reader.page).filter({ hasText: 'Signed in as Demo Subscriber · Sign out' }).waitFor();
    await closeReader(reader);
  });
});
