import type { Browser, BrowserContext, Page } from 'playwright-core';
import { articlePage, closeReader, type PageLog, type Publisher, publishArticle, threadShown, until, useBrowserServers, widget } from '../helpers/browser';
import { ensureDemo } from '../../server/seed/demo';
import { buildComment } from '../helpers/factories';
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
beforeEach(async () => {
  await parley.reset();
  // Not the shared reader (openReader): its controllable clock replaces the page's User Timing API,
  // which the widget reports its work through. This page keeps the real one.
  context = await browser.newContext();
  context.setDefaultTimeout(8_000);
  page = await context.newPage();
  log = { requests: [], errors: [], dialogs: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('websocket', (ws) => log.requests.push(ws.url()));
  page.on('pageerror', (e) => log.errors.push(e.message));
  // As openPage does: a favicon nobody serves is the browser's report, not our scripts'.
  page.on('console', (m) => void (m.type() === 'error' && !/Failed to load resource/.test(m.text()) && log.errors.push(m.text())));
});

const db = () => parley.database.db;
const commentBox = () => widget(page).getByRole('textbox', { name: 'Comment' });
const posted = (text: string) => widget(page).locator('li.c article .body').getByText(text, { exact: true });
const powRequests = () => log.requests.filter((u) => u.includes('/widget/pow.js'));
const challengeRequests = () => log.requests.filter((u) => u.endsWith('/challenge'));
/** The widget's own measure of the work (a User Timing entry), if it did any. */
const work = () =>
  page.evaluate(() => performance.getEntriesByName('parley-pow').map((e) => ({ ms: e.duration, ...(e as PerformanceMeasure).detail })) as Array<{ ms: number; maxnumber: number; number: number; worker: boolean }>);
const storedComment = (body: string) => db().selectFrom('comments').select(['status', 'risk', 'risk_reasons']).where('body_src', '=', body).executeTakeFirstOrThrow();

async function post(text: string): Promise<void> {
  const began = await page.evaluate(() => performance.now());
  await commentBox().fill(text);
  // A person takes more than the two seconds the too-fast rule asks of a form (real time here).
  await page.waitForFunction((t) => performance.now() > t + 2_500, began);
  await widget(page).getByRole('button', { name: 'Post comment' }).click();
  await posted(text).waitFor();
}

/** Where the page may send requests: Parley (HTTP and its socket), the publisher, and the worker's Blob. */
const ours = () => [parley.url, parley.url.replace(/^http/, 'ws'), publisher.origin, `blob:${publisher.origin}`, `blob:${parley.url}`];

/** Reported, not asserted (SPEC §13 "Time"): `PARLEY_REPORT=1` prints it. */
function report(what: string, figures: unknown): void {
  if (process.env.PARLEY_REPORT) process.stdout.write(`${what}: ${JSON.stringify(figures)}\n`);
}

describe('the proof of work in the widget', () => {
  it('is solved in a Web Worker while a new reader types on a quiet thread, and their comment is published as usual', async () => {
    await publishArticle(servers);
    await page.goto(`${publisher.origin}/article`);
    await threadShown(page);
    // The first paint loads none of it.
    expect(powRequests()).toEqual([]);
    expect(challengeRequests()).toEqual([]);

    await post('Reading this from the bus: the bridge has been shut for a week.');
    // Typing loaded the module and fetched one challenge; the reader saw nothing of it.
    expect(powRequests()).toHaveLength(1);
    expect(challengeRequests()).toHaveLength(1);
    const [solved] = await work();
    expect(solved).toMatchObject({ worker: true, maxnumber: 100_000 });
    expect(solved!.number).toBeGreaterThanOrEqual(0);
    report('proof of work, new reader, quiet thread (Web Worker)', solved);
    await expect(widget(page).locator('form .alert').textContent()).resolves.toBe('');

    const row = await storedComment('Reading this from the bus: the bridge has been shut for a week.');
    expect(row.status).toBe('approved');
    expect((row.risk_reasons ?? []).map((r) => r.code)).not.toContain('no_proof');

    // A second comment gets a new challenge: each is good for one post only.
    await post('And the ferry is no better.');
    await until(() => Promise.resolve(challengeRequests().length), (n) => n === 2);
    expect((await storedComment('And the ferry is no better.')).risk_reasons?.map((r) => r.code) ?? []).not.toContain('no_proof');
    await closeReader({ context, log }, ours());
  });

  it('asks nothing of a reader with trust: no challenge, no work, and the comment is published', async () => {
    await publishArticle(servers);
    await page.goto(`${publisher.origin}/article`);
    await threadShown(page);
    await post('My first comment here.');
    // The site has approved three of this reader's comments since: they have earned trust.
    const first = await db().selectFrom('comments').select(['commenter_id', 'thread_id']).executeTakeFirstOrThrow();
    const thread = await db().selectFrom('threads').selectAll().where('id', '=', first.thread_id).executeTakeFirstOrThrow();
    for (let i = 0; i < 3; i++) await buildComment(db(), thread, { status: 'approved', commenterId: first.commenter_id!, body: `An earlier comment ${i}` });

    await page.reload();
    await threadShown(page);
    await post('Trusted now, and posting at once.');
    expect(challengeRequests()).toHaveLength(2);
    // The server answered the second with no challenge: the page did no work.
    expect(await work()).toEqual([]);
    const row = await storedComment('Trusted now, and posting at once.');
    expect(row.status).toBe('approved');
    expect(row.risk_reasons ?? []).toEqual([]);
    await closeReader({ context, log }, ours());
  });

  it('runs in a Worker under the demo’s strict policy (Trusted Types enforced), with no violation', async () => {
    await ensureDemo(parley.app.deps, parley.url);
    await context.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(`${parley.url}/demo`);
    expect(response!.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
    await threadShown(page);
    await post('From the demo, with the work done in a worker.');
    const [solved] = await work();
    expect(solved).toMatchObject({ worker: true });
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    await closeReader({ context, log }, ours());
  });

  it('falls back to the main thread, in slices, on a page whose policy forbids workers', async () => {
    const siteId = await publishArticle(servers);
    servers.pages['/strict'] = articlePage(parley.url, { site: siteId, key: 'strict' }).replace(
      '<meta charset="utf-8">',
      `<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="worker-src 'none'">`,
    );
    await page.goto(`${publisher.origin}/strict`);
    await threadShown(page);
    await post('Written under a strict policy.');
    const [solved] = await work();
    expect(solved).toMatchObject({ worker: false });
    report('proof of work, new reader, quiet thread (main thread)', solved);
    const row = await storedComment('Written under a strict policy.');
    expect(row.status).toBe('approved');
    expect((row.risk_reasons ?? []).map((r) => r.code)).not.toContain('no_proof');
    // The page's refusal of the worker is the only error it met.
    expect(log.errors.filter((e) => !/worker-src|Content Security Policy/.test(e))).toEqual([]);
    await context.close();
  });
});
