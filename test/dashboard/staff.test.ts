import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { articlePage, openPage, type PageLog, until, widget, type Publisher, useBrowserServers } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { addMember } from '../helpers/staff';
import { axeViolations, foreignRequests, signInOnPage, startDashboardParley } from './helpers';

jest.setTimeout(90_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
let context: BrowserContext;
let page: Page;
let log: PageLog;
const servers = useBrowserServers(startDashboardParley);
const { pages } = servers;

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
  context = await browser.newContext();
  context.setDefaultTimeout(8_000);
  ({ page, log } = await openPage(context));
});
afterEach(async () => {
  expect(log.errors).toEqual([]);
  await context.close();
});

const dashboardRequests = () => log.requests.filter((r) => !r.startsWith(publisher.origin) && !r.includes('/embed.js') && !r.includes('/count.js'));
const section = (name: string) => page.getByRole('navigation', { name: 'Dashboard sections' }).getByRole('link', { name });
const thread = () => page.getByRole('article', { name: 'How would you resolve this stand-off?' });

describe('journalists, admins and sessions', () => {
  it('lets a journalist answer a reader: the reply is in the public thread with their badge', async () => {
    await postComment(parley, threadId, { body: 'Who checks the fact-checkers?', name: 'Ana' });
    const journalist = await addMember(parley.database.db, [[siteId, 'journalist']], { name: 'Paul Ducklin' });
    await signInOnPage(page, parley.url, journalist);
    // A journalist does not moderate: the threads are where they start.
    await expect(section('Queues').count()).resolves.toBe(0);
    await page.getByRole('heading', { name: 'Threads', level: 1 }).waitFor();
    await thread().getByRole('button', { name: 'Show comments' }).click();
    await page.getByRole('button', { name: 'Reply to Ana' }).click();
    await page.getByLabel('Your reply').fill('We do, every morning.');
    await page.getByRole('button', { name: 'Publish reply' }).click();
    await page.getByText('Your reply is published.').waitFor();
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);

    await page.goto(`${publisher.origin}/article`);
    const reply = widget(page).locator('li.c').filter({ has: page.getByText('We do, every morning.', { exact: true }) }).last();
    await reply.waitFor();
    await expect(reply.locator('.author').first().textContent()).resolves.toBe('Paul Ducklin');
    await expect(reply.getByText('Journalist', { exact: true }).first().isVisible()).resolves.toBe(true);
    const api = await parley.http().get(`/api/v1/threads/${threadId}/comments`);
    expect(api.body.items[0].replies.items[0]).toMatchObject({ author: { name: 'Paul Ducklin', badge: 'journalist' }, status: 'approved' });
    expect(dashboardRequests().length).toBeGreaterThan(0);
  });

  it('ends the session on sign-out: the old cookie no longer opens anything', async () => {
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await signInOnPage(page, parley.url, moderator);
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'parley_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const old = `parley_session=${cookie!.value}`;
    expect((await parley.http().get('/api/v1/auth/me').set('Cookie', old)).status).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to moderate' }).waitFor();
    await page.getByText('You are signed out.').waitFor();
    expect((await parley.http().get('/api/v1/auth/me').set('Cookie', old)).status).toBe(401);
    expect((await parley.http().get(`/api/v1/moderation/queues?site=${siteId}`).set('Cookie', old)).status).toBe(401);
    // A reload shows the sign-in form, not the dashboard.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to moderate' }).waitFor();
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  });

  it('lets an admin change the site’s settings, with refusals shown at their field', async () => {
    const admin = await addMember(parley.database.db, [[siteId, 'admin']]);
    await signInOnPage(page, parley.url, admin);
    await section('Settings').click();
    await page.getByRole('heading', { name: 'Site settings' }).waitFor();
    await page.getByLabel('Moderation', { exact: true }).selectOption('first_time');
    await page.getByLabel('Blocked words').fill('casino\nviagra');
    await page.getByLabel('Held words').fill('lawsuit');
    await page.getByLabel('Links allowed per comment').fill('1');
    await page.getByLabel('Edit window (minutes)').fill('30');
    await page.getByLabel('Flags before a comment is in the flagged queue').fill('5');
    await page.getByLabel('Automatic slow mode: posts in one minute').fill('12');
    await page.getByLabel('Allowed origins').fill(`${publisher.origin}\nnews.example`);
    await page.getByRole('button', { name: 'Save' }).click();
    const originsField = page.getByLabel('Allowed origins');
    await until(() => originsField.getAttribute('aria-invalid'), (v) => v === 'true');
    await expect(page.getByText(/must be an origin/).first().isVisible()).resolves.toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await originsField.fill(`${publisher.origin}\nhttps://news.example`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const site = await parley.database.db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirstOrThrow();
    expect(site.origins).toEqual([publisher.origin, 'https://news.example']);
    expect(site.settings).toMatchObject({ moderation: 'first_time', blockedWords: ['casino', 'viagra'], heldWords: ['lawsuit'], maxLinks: 1, editWindowMinutes: 30, flagThreshold: 5, slowModeAutoPerMinute: 12, slowModeAutoSeconds: 30 });
    // The rules use it at once: a first-time commenter now waits.
    const held = await postComment(parley, threadId, { body: 'My first word.' });
    expect(held.body.comment.status).toBe('pending');
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  });

  it('tells a moderator that this server sends no email instead of offering mail choices', async () => {
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await signInOnPage(page, parley.url, moderator);
    await section('My email').click();
    await page.getByText('This server sends no email: ask its administrator to set SMTP_URL.').waitFor();
    await expect(page.getByRole('checkbox').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Save' }).count()).resolves.toBe(0);
  });

  it('closes and reopens a thread, and runs a poll on it', async () => {
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await signInOnPage(page, parley.url, moderator);
    await section('Threads').click();
    await thread().getByRole('button', { name: 'Close commenting' }).click();
    await page.getByText('Commenting is closed.').waitFor();
    expect((await postComment(parley, threadId, { body: 'Too late?' })).status).toBeGreaterThanOrEqual(400);
    await thread().getByRole('button', { name: 'Reopen commenting' }).click();
    await page.getByText('Commenting is open again.').waitFor();
    expect((await postComment(parley, threadId, { body: 'Just in time.' })).status).toBe(201);

    await thread().getByLabel('Slow mode').selectOption({ label: 'one comment every 1 min' });
    await page.getByText('Slow mode is on: each reader posts at most once every 60 seconds.').waitFor();
    expect((await parley.http().get(`/api/v1/threads/${threadId}`)).body.thread.slowMode).toEqual({ seconds: 60, automatic: false });
    await thread().getByLabel('Slow mode').selectOption({ label: 'off' });
    await page.getByText('Slow mode is off.').waitFor();
    expect((await parley.http().get(`/api/v1/threads/${threadId}`)).body.thread.slowMode).toBeNull();

    await thread().getByText('New poll').click();
    await thread().getByLabel('Question').fill('Should the fine be higher?');
    await thread().getByRole('textbox', { name: /^Answers/ }).fill('Yes\nNo\nDon’t know');
    await thread().getByRole('button', { name: 'Create poll' }).click();
    await page.getByText('The poll is live.').waitFor();
    const read = async () => (await parley.http().get(`/api/v1/threads/${threadId}`)).body.thread.polls as Array<{ question: string; state: string; options: unknown[] }>;
    expect(await read()).toMatchObject([{ question: 'Should the fine be higher?', state: 'open', options: [{ label: 'Yes' }, { label: 'No' }, { label: 'Don’t know' }] }]);
    await thread().getByRole('button', { name: 'Close poll' }).click();
    await page.getByText('The poll is closed.').waitFor();
    expect((await read())[0]!.state).toBe('closed');
    expect(await axeViolations(page)).toEqual([]);
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  });

  it('speaks French when the browser does, and switches language on request', async () => {
    await context.close();
    context = await browser.newContext({ locale: 'fr-FR' });
    context.setDefaultTimeout(8_000);
    ({ page, log } = await openPage(context));
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await page.goto(`${parley.url}/moderate`);
    await page.getByRole('heading', { name: 'Connexion à la modération' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('fr');
    await page.getByLabel('Adresse e-mail').fill(moderator.email);
    await page.getByLabel('Mot de passe').fill(moderator.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Files : En attente' }).waitFor();
    await page.getByText('Rien ici. Bravo.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Queues: Pending' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
  });
});

describe('lost-token privacy requests', () => {
  it('lists them for an admin, who carries out an export in one click and gets the file', async () => {
    await postComment(parley, threadId, { body: 'The regulator was right.', name: 'Ana', email: 'ana@example.com' });
    const asked = await parley.http().post('/api/v1/privacy/requests').send({ site: siteId, email: 'ana@example.com', kind: 'export' });
    expect(asked.status).toBe(202);
    const admin = await addMember(parley.database.db, [[siteId, 'admin']]);
    await signInOnPage(page, parley.url, admin);
    await section('Privacy requests').click();
    await page.getByRole('heading', { name: 'Lost-token privacy requests' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Carry out: Export ana@example.com' }).click()]);
    const file = JSON.parse(await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        stream.on('error', reject);
      }, reject);
    }));
    expect(JSON.stringify(file)).toContain('The regulator was right.');
    await page.getByText('No requests waiting.').waitFor();
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);

    // Moderators never see the section.
    const moderator = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Signed out before the next sign-in loads the page (else it may still find the admin's session).
    await page.getByText('You are signed out.').waitFor();
    await signInOnPage(page, parley.url, moderator);
    await page.getByRole('heading', { name: 'Queues: Pending' }).waitFor();
    await expect(section('Privacy requests').count()).resolves.toBe(0);
  });
});

describe('lost-token erasure', () => {
  it('asks before erasing, then erases: the address is gone from the thread’s comments', async () => {
    const posted = await postComment(parley, threadId, { body: 'Please forget me.', name: 'Ana', email: 'ana@example.com' });
    await parley.http().post('/api/v1/privacy/requests').send({ site: siteId, email: 'ana@example.com', kind: 'erase' }).expect(202);
    const admin = await addMember(parley.database.db, [[siteId, 'admin']]);
    await signInOnPage(page, parley.url, admin);
    await section('Privacy requests').click();
    const go = page.getByRole('button', { name: 'Carry out: Erasure ana@example.com' });

    await go.click();
    const ask = page.getByRole('dialog', { name: /Erase everything Parley holds about ana@example.com/ });
    expect(await axeViolations(page)).toEqual([]);
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect(go.isVisible()).resolves.toBe(true);
    expect((await parley.database.db.selectFrom('commenters').select('email').execute()).map((c) => c.email)).toEqual(['ana@example.com']);

    await go.click();
    await ask.getByRole('button', { name: 'Erasure' }).click();
    await page.getByText('Erased.').waitFor();
    await page.getByText('No requests waiting.').waitFor();
    const row = await parley.database.db.selectFrom('comments').select(['status', 'commenter_id']).where('id', '=', posted.body.comment.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('deleted');
    expect((await parley.database.db.selectFrom('commenters').select('email').execute()).map((c) => c.email)).not.toContain('ana@example.com');
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  });
});
