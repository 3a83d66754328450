import type { BrowserContext, Page } from 'playwright-core';
import { buildSite } from '../helpers/factories';
import { openPage, type PageLog, until, useBrowserServers } from '../helpers/browser';
import { addMember } from '../helpers/staff';
import { axeViolations, foreignRequests, signInOnPage, startDashboardParley } from './helpers';

jest.setTimeout(90_000);

const servers = useBrowserServers(startDashboardParley);
let context: BrowserContext;
let page: Page;
let log: PageLog;
let siteId: string;

beforeEach(async () => {
  await servers.parley.reset();
  siteId = (await buildSite(servers.parley.database.db)).id;
  context = await servers.browser.newContext();
  context.setDefaultTimeout(8_000);
  ({ page, log } = await openPage(context));
});
afterEach(async () => {
  expect(log.errors).toEqual([]);
  await context.close();
});

const section = (name: string) => page.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name });

describe('readers’ sign-in in the dashboard (admins)', () => {
  it('sets the mode, shows refused values at their field, creates a key whose secret is shown once, and retires it', async () => {
    const { parley } = servers;
    const admin = await addMember(parley.database.db, [[siteId, 'admin']]);
    await signInOnPage(page, parley.url, admin);
    await section('Readers’ accounts').click();
    await page.getByRole('heading', { name: 'Sign-in with your readers’ accounts', level: 1 }).waitFor();

    // A refused value is shown at its field, and nothing changes.
    await page.getByLabel('Sign-in', { exact: true }).selectOption('required');
    await page.getByLabel('Your sign-in page').fill('not a url');
    await page.getByRole('button', { name: 'Save' }).click();
    const login = page.getByLabel('Your sign-in page');
    await page.locator('[aria-invalid="true"]').waitFor();
    await expect(login.getAttribute('aria-invalid')).resolves.toBe('true');
    const site = await parley.database.db.selectFrom('sites').select('settings').where('id', '=', siteId).executeTakeFirstOrThrow();
    expect((site.settings as { sso?: unknown }).sso).toBeUndefined();
    await login.fill('https://accounts.news.example/login');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const stored = await parley.database.db.selectFrom('sites').select('settings').where('id', '=', siteId).executeTakeFirstOrThrow();
    expect((stored.settings as { sso: object }).sso).toMatchObject({ mode: 'required', loginUrl: 'https://accounts.news.example/login' });

    // A public key that is not one: refused at its field.
    await page.getByLabel('Kind').selectOption('public');
    await page.getByLabel('Public key (JWK as JSON, or PEM)').fill('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----');
    await page.getByRole('button', { name: 'Add key' }).click();
    // The refusal comes back from the server: wait for it rather than read the field at once.
    const keyField = page.getByLabel('Public key (JWK as JSON, or PEM)');
    await until(() => keyField.getAttribute('aria-invalid'), (v) => v === 'true');

    // A shared secret: generated, shown this once, listed without it.
    await page.getByLabel('Kind').selectOption('secret');
    await page.getByLabel('Key id (kid)').fill('web-2026');
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.getByText('Copy this secret now: it is shown only once.').waitFor();
    const secret = (await page.locator('.secret code').textContent())!;
    expect(secret.length).toBeGreaterThanOrEqual(43);
    const table = page.getByRole('table', { name: 'Keys' });
    await table.getByRole('cell', { name: 'web-2026', exact: true }).waitFor();
    expect(await table.textContent()).not.toContain(secret);
    await expect(table.getByRole('row').nth(1).getByRole('cell').nth(4).textContent()).resolves.toBe('never');

    await table.getByRole('button', { name: 'Retire web-2026' }).click();
    await table.getByText(/^retired /).waitFor();
    const keys = await parley.database.db.selectFrom('sso_keys').select(['kid', 'retired_at']).where('site_id', '=', siteId).execute();
    expect(keys).toEqual([{ kid: 'web-2026', retired_at: expect.any(Date) }]);
    expect(await axeViolations(page)).toEqual([]);
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  });

  it('is not offered to moderators', async () => {
    const moderator = await addMember(servers.parley.database.db, [[siteId, 'moderator']]);
    await signInOnPage(page, servers.parley.url, moderator);
    await section('Queues').waitFor();
    await expect(section('Readers’ accounts').count()).resolves.toBe(0);
  });
});
