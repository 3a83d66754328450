import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { openPage, type PageLog, until, useBrowserServers } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { addMember } from '../helpers/staff';
import { axeViolations, foreignRequests, signInOnPage, startDashboardParley } from './helpers';

jest.setTimeout(90_000);

let parley: TestParley;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let log: PageLog;
const servers = useBrowserServers(startDashboardParley);

beforeAll(() => {
  ({ parley, browser } = servers);
});

let siteId: string;
let threadId: string;
beforeEach(async () => {
  await parley.reset();
  siteId = (await buildSite(parley.database.db)).id;
  threadId = (await buildThread(parley.database.db, siteId, { key: 'stand-off' })).id;
  context = await browser.newContext();
  context.setDefaultTimeout(8_000);
  ({ page, log } = await openPage(context));
});
afterEach(async () => {
  expect(log.errors).toEqual([]);
  await context.close();
});

const section = (name: string) => page.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name });
const thread = () => page.getByRole('article', { name: 'How would you resolve this stand-off?' });
const presetRows = () => page.locator('section[aria-labelledby="presets-title"] tbody tr');

describe('presets in the dashboard', () => {
  it('lets an admin create one (refusals at their field), edit and delete it, and apply one to a thread in one action', async () => {
    const admin = await addMember(parley.database.db, [[siteId, 'admin']]);
    await signInOnPage(page, parley.url, admin);
    await section('Presets').click();
    await page.getByText('No presets yet.').waitFor();

    // Nothing chosen and a bad close time: each refusal at its field, nothing stored.
    await page.getByLabel('Name', { exact: true }).fill('Hot topic');
    await page.getByLabel(/^Close commenting after/).fill('0');
    await page.getByRole('button', { name: 'Save preset' }).click();
    const close = page.getByLabel(/^Close commenting after/);
    await until(() => close.getAttribute('aria-invalid'), (v) => v === 'true');
    await expect(page.getByText(/greater than or equal to 1|too small/i).first().isVisible()).resolves.toBe(true);
    expect(await parley.database.db.selectFrom('thread_presets').select('id').execute()).toHaveLength(0);
    expect(await axeViolations(page)).toEqual([]);

    await close.fill('24');
    await page.getByLabel('Moderation', { exact: true }).selectOption('pre');
    await page.getByLabel('Slow mode').selectOption({ label: 'one comment every 2 min' });
    await page.getByLabel('Links', { exact: true }).selectOption('no');
    await page.getByRole('button', { name: 'Save preset' }).click();
    await page.getByText('Preset created.').waitFor();
    await until(() => presetRows().count(), (n) => n === 1);
    await expect(presetRows().first().textContent()).resolves.toContain('Links held for moderation');

    // Renamed, and a second one made, then deleted.
    await page.getByRole('button', { name: 'Edit the preset “Hot topic”' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Very hot topic');
    await page.getByRole('button', { name: 'Save preset' }).click();
    await page.getByText('Preset saved.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Q&A');
    await page.getByLabel('Format').selectOption('qa');
    await page.getByRole('button', { name: 'Save preset' }).click();
    await until(() => presetRows().count(), (n) => n === 2);
    await page.getByRole('button', { name: 'Delete the preset “Q&A”' }).click();
    await page.getByText('Preset “Q&A” deleted.').waitFor();
    await until(() => presetRows().count(), (n) => n === 1);
    const rows = await parley.database.db.selectFrom('thread_presets').select(['name', 'settings']).execute();
    expect(rows).toEqual([{ name: 'Very hot topic', settings: { mode: 'pre', slowModeSeconds: 120, linksAllowed: false, closeAfterHours: 24 } }]);

    // Applied to a thread from the threads section: every setting at once, shown in its row.
    await section('Threads').click();
    await thread().getByLabel('Preset').selectOption({ label: 'Very hot topic' });
    await thread().getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Preset “Very hot topic” applied.').waitFor();
    await expect(thread().locator('p.meta').textContent()).resolves.toMatch(/closes .* · links held/);
    await expect(thread().getByLabel('Slow mode').inputValue()).resolves.toBe('120');
    const applied = (await parley.http().get(`/api/v1/threads/${threadId}`)).body.thread;
    expect(applied).toMatchObject({ mode: 'pre', slowModeSeconds: 120, linksAllowed: false });
    expect((await postComment(parley, threadId, { body: 'A first reaction.' })).body.comment.status).toBe('pending');
    const entry = await parley.database.db.selectFrom('moderation_log').select(['action', 'details']).where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: 'thread.preset', details: { preset: 'Very hot topic' } });
    expect(await axeViolations(page)).toEqual([]);
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  });

  it('sets a thread’s close time from the threads section, with a refusal at its field', async () => {
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await signInOnPage(page, parley.url, moderator);
    await section('Threads').click();
    await thread().getByText('Schedule and links').click();
    await thread().getByLabel('Closes at').fill('1999-01-01T10:00');
    await thread().getByRole('button', { name: 'Save schedule' }).click();
    await until(() => thread().getByLabel('Closes at').getAttribute('aria-invalid'), (v) => v === 'true');
    expect((await parley.database.db.selectFrom('threads').select('closes_at').where('id', '=', threadId).executeTakeFirstOrThrow()).closes_at).toBeNull();

    await thread().getByLabel('Closes at').fill('2030-06-01T18:00');
    await thread().getByLabel('Readers may post links').uncheck();
    await thread().getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Schedule saved.').waitFor();
    const row = await parley.database.db.selectFrom('threads').select(['closes_at', 'links_allowed']).where('id', '=', threadId).executeTakeFirstOrThrow();
    expect(row.links_allowed).toBe(false);
    expect(row.closes_at).not.toBeNull();
    await expect(thread().locator('p.meta').textContent()).resolves.toMatch(/closes .*2030/);
    // Moderators see presets to apply but not the section to manage them.
    expect(await section('Presets').count()).toBe(0);
  });
});
