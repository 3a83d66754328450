import type { BrowserContext, Page } from 'playwright-core';
import { nextLocalHour } from '../../server/mail/local-time';
import { buildSite, buildThread } from '../helpers/factories';
import { openPage, type PageLog, until, useBrowserServers } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { call } from '../helpers/reader';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { addMember } from '../helpers/staff';
import { axeViolations, foreignRequests, signInOnPage, startDashboardParley } from './helpers';

/**
 * A moderator's own mail choices in the dashboard, saved through the server and seen at work: the
 * digest reaches the loopback SMTP server at the moderator's local hour (the app's clock is moved).
 */
jest.setTimeout(90_000);

let smtp: TestSmtp;
const servers = useBrowserServers(async () => {
  smtp = await startTestSmtp();
  return startDashboardParley({ SMTP_URL: smtp.url, SMTP_FROM: 'Parley <moderation@news.example>' });
});
afterAll(() => smtp?.close());

let parley: TestParley;
let context: BrowserContext;
let page: Page;
let log: PageLog;
let siteId: string;

beforeEach(async () => {
  parley = servers.parley;
  await parley.reset();
  smtp.clear();
  siteId = (await buildSite(parley.database.db, { settings: { moderation: 'pre' } })).id;
  context = await servers.browser.newContext({ timezoneId: 'Europe/Paris' });
  context.setDefaultTimeout(8_000);
  ({ page, log } = await openPage(context));
});
afterEach(async () => {
  expect(log.errors).toEqual([]);
  await context.close();
});

const section = (p: Page, name: string) => p.getByRole('navigation', { name: /^(Dashboard sections|Sections du tableau de bord)$/ }).getByRole('link', { name });
const prefsRows = () => parley.database.db.selectFrom('mail_moderator_prefs').selectAll().execute();

describe('a moderator’s own mail in the dashboard', () => {
  it('refuses an unknown time zone at its field, saves flagged mail and a digest hour, and the digest arrives at that local hour', async () => {
    const mod = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await signInOnPage(page, parley.url, mod);
    await section(page, 'My email').click();
    await page.getByRole('heading', { name: 'My email from this site', level: 1 }).waitFor();

    const flagged = page.getByRole('checkbox', { name: 'Email me each flagged comment at once' });
    const digest = page.getByRole('checkbox', { name: /daily digest of the pending queue/ });
    const zone = page.getByLabel('In the time zone (e.g. Europe/Paris)');
    await expect(flagged.isChecked()).resolves.toBe(false);
    await expect(digest.isChecked()).resolves.toBe(false);
    // The hour and the zone are asked only for a digest.
    await expect(zone.isVisible()).resolves.toBe(false);
    await flagged.check();
    await digest.check();
    // Nothing saved yet: the zone starts as this browser's.
    await expect(zone.inputValue()).resolves.toBe('Europe/Paris');
    await page.getByLabel('Digest at').selectOption('7');
    await zone.fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save' }).click();
    await until(() => zone.getAttribute('aria-invalid'), (v) => v === 'true');
    await expect(page.locator(`#${await zone.getAttribute('aria-describedby')}`).textContent()).resolves.toContain('must be an IANA time zone name');
    expect(await prefsRows()).toEqual([]);

    await zone.fill('America/New_York');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await until(() => zone.getAttribute('aria-invalid'), (v) => v === null);
    expect(await prefsRows()).toMatchObject([{ member_id: mod.id, site_id: siteId, flagged: true, digest_hour: 7, time_zone: 'America/New_York', lang: 'en' }]);
    expect(await axeViolations(page)).toEqual([]);

    // Shown as saved on the next visit.
    await page.reload();
    await page.getByRole('heading', { name: 'My email from this site', level: 1 }).waitFor();
    await until(() => digest.isChecked(), (v) => v);
    await expect(flagged.isChecked()).resolves.toBe(true);
    await expect(zone.inputValue()).resolves.toBe('America/New_York');
    await expect(page.getByLabel('Digest at').inputValue()).resolves.toBe('7');

    // A held comment waits; at 07:00 in New York (not before) the digest arrives.
    const thread = await buildThread(parley.database.db, siteId);
    expect((await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'Held for review', name: 'Reader' })).status).toBe(201);
    const clock = parley.app.deps.clock;
    const due = nextLocalHour(clock.now(), 7, 'America/New_York');
    clock.advance(due.getTime() - clock.now().getTime() - 60_000);
    await parley.app.deps.outbox.drain();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails).toEqual([]);
    clock.advance(61_000);
    await parley.app.deps.outbox.drain();
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual([mod.email.toLowerCase()]);
    expect(mail!.subject).toMatch(/^1 comment waiting for moderation on /);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', hourCycle: 'h23' }).format(clock.now())).toBe('07');
    expect(mail!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(foreignRequests(log.requests, parley.url)).toEqual([]);
  });

  it('turns the digest off, in French, and is not offered to journalists', async () => {
    const mod = await addMember(parley.database.db, [[siteId, 'moderator']]);
    await signInOnPage(page, parley.url, mod);
    await page.getByRole('button', { name: 'Français' }).click();
    await section(page, 'Mes e-mails').click();
    await page.getByRole('heading', { name: 'Mes e-mails de ce site', level: 1 }).waitFor();
    const digest = page.getByRole('checkbox', { name: /résumé des commentaires en attente/ });
    await digest.check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await until(prefsRows, (rows) => rows.length === 1);
    expect(await prefsRows()).toMatchObject([{ digest_hour: 8, time_zone: 'Europe/Paris', lang: 'fr' }]);
    const scheduled = () => parley.database.db.selectFrom('outbox').select('kind').where('kind', '=', 'mail.digest').where('done_at', 'is', null).execute();
    expect(await scheduled()).toHaveLength(1);
    await digest.uncheck();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await until(prefsRows, (rows) => rows[0]?.digest_hour === null);
    expect(await scheduled()).toEqual([]);

    const journalist = await addMember(parley.database.db, [[siteId, 'journalist']]);
    const other = await servers.browser.newContext();
    const { page: jpage } = await openPage(other);
    await signInOnPage(jpage, parley.url, journalist);
    await section(jpage, 'Threads').waitFor();
    await expect(section(jpage, 'My email').count()).resolves.toBe(0);
    await other.close();
  });
});
