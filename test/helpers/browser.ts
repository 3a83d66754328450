import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core. Never a downloaded browser: CI installs the
 * `chromium` package, and a missing one fails loudly here rather than skipping the tests.
 */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: install the Debian package (apt-get install -y chromium).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
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
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('websocket', (ws) => log.requests.push(ws.url()));
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) log.errors.push(m.text());
  });
  page.on('dialog', (d) => {
    log.dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, log };
}

/**
 * A publisher's page on its own origin (another port of 127.0.0.1 is another origin), embedding
 * Parley with the two script tags a publisher copies.
 */
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
