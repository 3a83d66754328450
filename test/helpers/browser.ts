import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { chromiumPath } from './chromium';
import { buildSite, buildThread } from './factories';
import { startTestParley, type TestParley } from './parley';
import { closeWhenWorkerEnds, sharesWorkerContext, workerSlots } from './worker';

/**
 * Chromium driven by playwright-core: the one `chromiumPath` picks (PARLEY_CHROMIUM, Debian's, or the
 * one shipped in an npm package). Never a browser downloaded by a test tool.
 *
 * A Jest worker launches it once and lends it to its files, one after another, as it does its
 * database: a launch and its first page cost about 1.7 s of CPU, for each of the 19 files that drive
 * a browser. A file gets a browser whose `close()` closes the contexts (and so the pages) that file
 * opened, and leaves Chromium running for the next; each test already has a context of its own. The
 * worker closes Chromium when Jest ends it.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!sharesWorkerContext()) return launchChromium();
  const slots = workerSlots<Promise<Browser>>();
  let shared = slots[WORKER_CHROMIUM];
  // One that failed to start, crashed or was closed is replaced.
  if (shared && !(await shared.then((b) => b.isConnected(), () => false))) shared = undefined;
  if (!shared) {
    const launching = launchChromium();
    shared = slots[WORKER_CHROMIUM] = launching;
    closeWhenWorkerEnds(WORKER_CHROMIUM, async () => {
      if (slots[WORKER_CHROMIUM] === launching) slots[WORKER_CHROMIUM] = undefined;
      await (await launching).close();
    });
  }
  return lendBrowser(await shared);
}

const WORKER_CHROMIUM = Symbol.for('parley.test.chromium');

function launchChromium(): Promise<Browser> {
  return chromiumPath().then((executablePath) =>
    chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
  );
}

/** The worker's Chromium for one file: what the file opens through it, its `close()` closes. */
function lendBrowser(browser: Browser): Browser {
  const opened = new Set<BrowserContext>();
  const newContext: Browser['newContext'] = async (options) => {
    const context = await browser.newContext(options);
    opened.add(context);
    context.on('close', () => opened.delete(context));
    return context;
  };
  const own: Partial<Browser> = {
    newContext,
    newPage: async (options) => {
      const page = await (await newContext(options)).newPage();
      // As Playwright's own: closing the page closes the context made for it.
      page.on('close', () => void page.context().close().catch(() => undefined));
      return page;
    },
    contexts: () => [...opened],
    close: async () => {
      await Promise.all([...opened].map((context) => context.close().catch(() => undefined)));
    },
  };
  return new Proxy(browser, {
    get(target, key) {
      if (Object.hasOwn(own, key)) return own[key as keyof Browser];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Every request and websocket a page opens, and every script error or CSP refusal it meets. */
export interface PageLog {
  requests: string[];
  errors: string[];
  dialogs: string[];
}

export async function openPage(context: BrowserContext): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  // A controllable clock (it runs normally until told to jump): see `readerTakesTime`.
  await page.clock.install();
  const log: PageLog = { requests: [], errors: [], dialogs: [] };
  // A Blob the page made itself (a download, the proof of work's worker) is not a request anywhere.
  page.on('request', (r) => void (r.url().startsWith('blob:') || log.requests.push(r.url())));
  page.on('websocket', (ws) => log.requests.push(ws.url()));
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('console', (m) => {
    // A lost network (tests go offline on purpose) is reported by the browser, not by our scripts.
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection to .* failed/.test(m.text())) log.errors.push(m.text());
  });
  page.on('dialog', (d) => {
    log.dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, log };
}

/** One test's reader: a fresh browser context (8 s default timeout) with one logged page. */
export interface Reader {
  context: BrowserContext;
  page: Page;
  log: PageLog;
}

export async function openReader(browser: Browser, options: BrowserContextOptions = {}): Promise<Reader> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(8_000);
  return { context, ...(await openPage(context)) };
}

/**
 * Ends a test's reader: its page met no script error and, when `onlyTo` is given, made no request
 * (nor opened a socket) anywhere but those origins. Then it is closed.
 */
export async function closeReader(reader: Pick<Reader, 'context' | 'log'>, onlyTo?: string[]): Promise<void> {
  expect(reader.log.errors).toEqual([]);
  if (onlyTo) expect(reader.log.requests.filter((url) => !onlyTo.some((origin) => url.startsWith(origin)))).toEqual([]);
  await reader.context.close();
}

/** The article's thread key on the publisher's page. */
export const ARTICLE_KEY = 'stand-off';

/**
 * A site that accepts the publisher's origin, and its article at `/article` embedding Parley (the
 * thread itself is created by `buildThread`, or by the first post).
 */
export async function publishArticle(servers: { parley: TestParley; publisher: Publisher; pages: Record<string, string> }): Promise<string> {
  const site = await buildSite(servers.parley.database.db, { origins: [servers.publisher.origin] });
  servers.pages['/article'] = articlePage(servers.parley.url, { site: site.id, key: ARTICLE_KEY });
  return site.id;
}

/** `publishArticle` with the article's thread already there: its id. */
export async function publishThread(servers: Parameters<typeof publishArticle>[0]): Promise<{ siteId: string; threadId: string }> {
  const siteId = await publishArticle(servers);
  const thread = await buildThread(servers.parley.database.db, siteId, { key: ARTICLE_KEY });
  return { siteId, threadId: thread.id };
}

/**
 * A publisher's page on its own origin (another port of 127.0.0.1 is another origin), embedding
 * Parley with the two script tags a publisher copies.
 */
export type Publisher = Awaited<ReturnType<typeof startPublisher>>;

/**
 * What every browser test file starts once and closes after its last test: a Parley (`start`, the
 * plain test server by default), Chromium, and a publisher's site serving `pages`.
 * The fields are filled in by the `beforeAll` this registers.
 */
export function useBrowserServers(start: () => Promise<TestParley> = startTestParley) {
  const servers = { pages: {} as Record<string, string> } as { parley: TestParley; browser: Browser; publisher: Publisher; pages: Record<string, string> };
  beforeAll(async () => {
    [servers.parley, servers.browser, servers.publisher] = await Promise.all([start(), launchBrowser(), startPublisher(servers.pages)]);
  });
  afterAll(async () => {
    await servers.browser?.close();
    await servers.publisher?.close();
    await servers.parley?.close();
  });
  return servers;
}

export async function startPublisher(pages: Record<string, string>): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const html = pages[String(req.url).split('?')[0]!];
    if (!html) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function articlePage(parleyUrl: string, attrs: { site: string; key: string; lang?: string; extra?: string }): string {
  return `<!doctype html>
<html lang="${attrs.lang ?? 'en'}"><head><meta charset="utf-8"><title>Stand-off</title></head>
<body><article><h1>How would you resolve this stand-off?</h1><p>An article.</p></article>
<p><span data-parley-count data-site="${attrs.site}" data-key="${attrs.key}">Comments</span></p>
<div data-parley data-site="${attrs.site}" data-key="${attrs.key}" ${attrs.extra ?? ''}></div>
<script src="${parleyUrl}/embed.js" async></script>
<script src="${parleyUrl}/count.js" async></script>
</body></html>`;
}

/** Locators pierce open shadow roots, so tests address the widget as a reader sees it. */
export const widget = (page: Page) => page.locator('[data-parley]');

/**
 * Waits until the widget shows its thread: the heading is there and the first page of comments has
 * been read (the list stays `aria-busy` until then, as a screen reader is told).
 */
export async function threadShown(page: Page): Promise<void> {
  await widget(page).getByRole('heading', { level: 2 }).waitFor();
  await widget(page).locator('ol.list:not([aria-busy])').waitFor({ state: 'attached' });
}

/** Polls `read` until `ok` accepts its value (or times out with the last value in the message). */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/**
 * The server treats a form sent within two seconds of opening as a bot's. A person takes longer to
 * write; tests move the page's clock forward instead of sleeping, so `elapsedMs` is what a human's
 * would be.
 */
export async function readerTakesTime(page: Page): Promise<void> {
  await page.clock.fastForward(2_500);
}

/** What has focus, looking through shadow roots: "TAG label-or-text". */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return '';
    const root = el.getRootNode() as ShadowRoot | Document;
    const labelled = el.id ? root.querySelector(`label[for="${el.id}"]`)?.textContent : null;
    const label = el.getAttribute('aria-label') ?? labelled ?? el.textContent ?? '';
    return `${el.tagName} ${label.trim()}`.trim();
  });
}

/** Waits for focus to land on what matches: after an answer from the server, it moves when the answer comes. */
export async function focusLands(page: Page, pattern: RegExp, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  let now = await focused(page);
  while (!pattern.test(now)) {
    if (Date.now() - start > timeoutMs) throw new Error(`focus never reached ${pattern}; it is on ${now}`);
    await new Promise((r) => setTimeout(r, 25));
    now = await focused(page);
  }
}

/** Presses Tab until the focused element matches, as a keyboard user would. */
export async function tabTo(page: Page, pattern: RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (pattern.test(await focused(page))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${pattern}; focus is on ${await focused(page)}`);
}

/** axe-core from node_modules, evaluated in the page (no CDN), against WCAG 2.2 AA. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    }),
  );
  return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
