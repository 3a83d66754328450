import { startTestParley } from '../helpers/parley';
import type { Browser, BrowserContext } from 'playwright-core';
import { ensureDemo } from '../../server/seed/demo';
import { buildSite, buildThread, postComment } from '../helpers/factories';
import { articlePage, openPage, readerTakesTime, threadShown, widget, type Publisher, useBrowserServers } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';

/** A request's origin, counting a WebSocket (ws://, wss://) as the HTTP origin of the same host. */
const originOf = (u: string) => new URL(u.replace(/^ws/, 'http')).origin;

jest.setTimeout(60_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
let context: BrowserContext;
// Seeding posts many comments from one network in seconds: the abuse speed signal would hold them.
const servers = useBrowserServers(() => startTestParley({ PARLEY_RATE_LIMITS: 'off' }));
const { pages } = servers;

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});
beforeEach(async () => {
  await parley.reset();
  context = await browser.newContext();
  context.setDefaultTimeout(8_000);
  // Collected before any page script runs, so a refused style or script cannot go unnoticed.
  await context.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});
afterEach(() => context.close());

const XSS_BODIES = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '<svg onload="window.__xss = \'svg\'"><circle r=1></svg>',
  '"><iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
  '[click me](javascript:window.__xss=\'link\')',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '<a href="javascript:alert(1)">plain anchor</a>',
  '![image](https://127.0.0.1:1/x.png" onerror="alert(1))',
  '<details open ontoggle=alert(1)>details</details>',
  '<style>*{display:none !important}</style>',
  '`<script>alert("code")</script>`',
  '> <img src=x onerror=alert("quote")>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert("mxss")>',
  '<form action="https://127.0.0.1:1/"><button>submit</button></form>',
];
const XSS_NAMES = ['<img src=x onerror=alert("name")>', '"><script>alert("name")</script>', "{{constructor.constructor('alert(1)')()}}"];
const XSS_SITES = ['https://example.com/"><script>alert("site")</script>', 'https://example.com/?q=<img src=x onerror=alert(1)>'];

describe('the widget keeps the publisher’s page safe', () => {
  it('runs no script and injects no element from an XSS corpus in comments, names and websites', async () => {
    const site = await buildSite(parley.database.db, { origins: [publisher.origin] });
    const thread = await buildThread(parley.database.db, site.id, { key: 'xss' });
    for (const [i, body] of XSS_BODIES.entries()) {
      const res = await postComment(parley, thread.id, { body, name: XSS_NAMES[i % XSS_NAMES.length], website: i < XSS_SITES.length ? XSS_SITES[i] : undefined });
      expect(res.status).toBe(201);
    }
    // A javascript: website is refused by the server outright.
    const refused = await postComment(parley, thread.id, { body: 'hi', website: 'javascript:alert(1)' });
    expect(refused.status).toBe(400);

    pages['/xss'] = articlePage(parley.url, { site: site.id, key: 'xss' });
    const { page, log } = await openPage(context);
    await page.goto(`${publisher.origin}/xss`);
    await widget(page).getByRole('heading', { name: `${XSS_BODIES.length} comments` }).waitFor();

    // The same corpus typed into the form by a reader.
    await widget(page).getByRole('textbox', { name: 'Name' }).fill(XSS_NAMES[0]!);
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill(XSS_BODIES.slice(0, 5).join('\n\n'));
    await widget(page).getByRole('button', { name: 'Preview' }).click();
    await widget(page).locator('.preview p').first().waitFor();
    await widget(page).getByRole('button', { name: 'Write' }).click();
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await widget(page).getByRole('heading', { name: `${XSS_BODIES.length + 1} comments` }).waitFor();
    await page.waitForTimeout(300);

    expect(log.dialogs).toEqual([]);
    expect(log.errors).toEqual([]);
    const found = await page.evaluate(() => {
      const root = document.querySelector('[data-parley]')!.shadowRoot!;
      const all = [...Array.from(document.querySelectorAll('*')), ...Array.from(root.querySelectorAll('*'))];
      return {
        xss: (window as unknown as { __xss?: string }).__xss ?? null,
        dangerous: all
          .filter((el) => /^(SCRIPT|IFRAME|IMG|SVG|svg|MATH|math|OBJECT|EMBED|DETAILS|FORM|STYLE)$/.test(el.tagName))
          // The page's own two script tags and the widget's own form are expected; nothing else.
          .filter((el) => !(el.tagName === 'SCRIPT' && /\/(embed|count)\.js$/.test((el as HTMLScriptElement).src)) && !el.matches('form.form'))
          .map((el) => el.tagName),
        handlers: all.flatMap((el) => Array.from(el.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}[${a.name}]`)),
        hrefs: Array.from(root.querySelectorAll('a[href]')).map((a) => a.getAttribute('href')!),
        text: root.textContent ?? '',
      };
    });
    expect(found.xss).toBeNull();
    expect(found.dangerous).toEqual([]);
    expect(found.handlers).toEqual([]);
    for (const href of found.hrefs) expect(href).toMatch(/^(https?:\/\/|mailto:)/);
    // Nothing a reader wrote vanished: the markup shows as text.
    expect(found.text).toContain('<script>window.__xss = "script"</script>');
    expect(found.text).toContain('<img src=x onerror=alert("name")>');
  });

  it('sends every request of a publisher’s page to Parley only, and sets no cookie', async () => {
    const site = await buildSite(parley.database.db, { origins: [publisher.origin] });
    pages['/article'] = articlePage(parley.url, { site: site.id, key: 'requests' });
    const { page, log } = await openPage(context);
    await page.goto(`${publisher.origin}/article`);
    await threadShown(page);
    await widget(page).getByRole('textbox', { name: 'Name' }).fill('Jim');
    await widget(page).getByRole('textbox', { name: 'Website' }).fill('https://jim.example/');
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('What is being done in the UK? https://ico.example/news');
    await widget(page).getByRole('button', { name: 'Preview' }).click();
    await widget(page).locator('.preview a').waitFor();
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await widget(page).getByRole('heading', { name: '1 comment' }).waitFor();
    await page.reload();
    await widget(page).getByRole('heading', { name: '1 comment' }).waitFor();

    const origins = new Set(log.requests.map(originOf));
    // The live updates' socket is Parley's too (ws:// on the same host and port).
    expect(log.requests.some((u) => u.startsWith(parley.url.replace(/^http/, 'ws')))).toBe(true);
    expect(log.requests.filter((u) => new URL(u).origin === publisher.origin).map((u) => new URL(u).pathname)).toEqual(['/article', '/article']);
    expect([...origins].sort()).toEqual([parley.url, publisher.origin].sort());
    expect(log.requests.filter((u) => u.startsWith(parley.url)).length).toBeGreaterThanOrEqual(6);
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(log.errors).toEqual([]);
  });

  it('runs the demo under its strict Content-Security-Policy with no violation and no outside request', async () => {
    await ensureDemo(parley.app.deps, parley.url);
    const { page, log } = await openPage(context);
    const response = await page.goto(`${parley.url}/demo`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response!.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
    await widget(page).getByRole('heading', { name: '24 comments' }).waitFor();
    await widget(page).getByText('Off with their heads.', { exact: false }).waitFor();
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('From the demo, *with style*.');
    await widget(page).getByRole('button', { name: 'Preview' }).click();
    await widget(page).locator('.preview em').waitFor();
    await readerTakesTime(page);
    await widget(page).getByRole('button', { name: 'Post comment' }).click();
    await widget(page).getByRole('heading', { name: '25 comments' }).waitFor();

    // The widget's styles apply under `style-src 'self'` (a constructed stylesheet, not inline CSS).
    const radius = await widget(page).locator('form.form').evaluate((el) => getComputedStyle(el).borderTopLeftRadius);
    expect(radius).toBe('10px');
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(log.requests.every((u) => originOf(u) === parley.url)).toBe(true);
    expect(log.errors).toEqual([]);
    expect(log.dialogs).toEqual([]);
  });
});
