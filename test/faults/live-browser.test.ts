import crypto from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { freePort, type Proc, startProc } from '../bench/procs';
import { launchBrowser, openPage, threadShown, widget } from '../helpers/browser';
import { freshDatabase } from './database';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * Two readers of the demo thread in Chromium, each on their own instance; one instance loses its
 * database for a few seconds (its LISTEN connection too) while comments are posted through the
 * other. Both pages show every comment, without a reload.
 */
const BASE_URL = process.env.DATABASE_URL;
const maybe = BASE_URL ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

maybe('live delivery in the browser across a database cut', () => {
  const procs: Proc[] = [];
  let proxy: TcpProxy | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    for (const p of procs) await p.stop();
    await proxy?.close();
  });

  it('both widgets show every comment posted while one instance was cut off', async () => {
    const { url: dbUrl, admin } = await freshDatabase(BASE_URL!, 'live_browser');
    await admin.end();
    const target = new URL(dbUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(dbUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    for (const database of [viaProxy.toString(), dbUrl]) {
      const port = await freePort();
      const env = { DATABASE_URL: database, PUBLIC_URL: `http://127.0.0.1:${port}`, PARLEY_RATE_LIMITS: 'off', LOG_LEVEL: 'error' };
      procs.push(await startProc('server/main.ts', env, [], port));
    }
    const [cutOff, other] = procs as [Proc, Proc];

    browser = await launchBrowser();
    const pages = [];
    for (const instance of procs) {
      const context = await browser.newContext();
      contexts.push(context);
      const { page, log } = await openPage(context);
      await page.goto(`${instance.url}/demo`);
      await threadShown(page);
      // Live updates load after first paint: wait for the socket.
      for (let i = 0; i < 50 && !log.requests.some((u) => u.startsWith('ws://')); i++) await sleep(100);
      pages.push(page);
    }
    const thread = (await (await fetch(`${other.url}/api/v1/threads/resolve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ site: 'demo', key: 'naked-security-clearview' }),
    }).then((r) => r.json())) as { thread: { id: string } }).thread;

    const texts = ['First, while the line is down.', 'Second, still down.', 'Third, as it comes back.'];
    proxy.cut('reset');
    for (const [i, text] of texts.entries()) {
      const res = await fetch(`${other.url}/api/v1/threads/${thread.id}/comments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ body: text, name: 'Third reader' }),
      });
      expect(res.status).toBe(201);
      if (i === 1) proxy.restore();
      else await sleep(1_500);
    }
    expect(cutOff.child.exitCode).toBeNull();

    // New top-level comments wait behind the "N new comments" bar: both pages offer all three.
    for (const page of pages) {
      const bar = widget(page).locator('button.newbar');
      await bar.getByText(/3 new comments/).waitFor({ timeout: 20_000 });
      await bar.click();
      for (const text of texts) await widget(page).getByText(text).waitFor({ timeout: 5_000 });
    }
  }, 180_000);
});
