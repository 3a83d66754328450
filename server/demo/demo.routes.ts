import fs from 'node:fs';
import path from 'node:path';
import { type Request, Router } from 'express';
import type { Deps } from '../deps';
import { demoToken, ensureDemoSignIn } from './demo-sso';
import { demoPage, type DemoOptions } from './demo.page';

/**
 * The demo page is Parley's own, so it can hold itself to the strictest policy a publisher might
 * use: scripts and styles from this origin only, no inline anything, Trusted Types enforced, and
 * nothing fetched from anyone else. The widget has to work under it, and the browser tests check
 * that it does.
 */
export const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  // The proof of work runs in a Worker made from a Blob, through its own Trusted Types policy.
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types parley parley-pow',
].join('; ');

const css = fs.readFileSync(path.join(__dirname, 'demo.css'));
/** The demo page's button: asks the demo's signer for a token and hands it to the widget. */
const signInScript = `document.getElementById('demo-sign-in').addEventListener('click', async (e) => {
  e.target.disabled = true;
  const res = await fetch('/demo/sso/token', { method: 'POST' });
  if (res.ok) window.parley.login((await res.json()).token);
  e.target.disabled = false;
});
`;

function options(req: Request): DemoOptions {
  const q = req.query;
  return {
    lang: q.lang === 'fr' ? 'fr' : 'en',
    theme: q.theme === 'light' || q.theme === 'dark' ? q.theme : 'auto',
    signIn: false,
  };
}

export function demoRoutes(deps: Pick<Deps, 'db' | 'config'>): Router {
  const router = Router();
  // /demo/sso: the same article, with a "sign in as a subscriber" button backed by the demo's signer.
  router.get('/demo/sso', async (req, res) => {
    if (!(await ensureDemoSignIn(deps.db, deps.config.publicUrl))) return void res.status(404).type('text').send('There is no demo site.');
    res.setHeader('Content-Security-Policy', DEMO_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(demoPage({ ...options(req), signIn: true }));
  });
  router.post('/demo/sso/token', async (_req, res) => {
    const token = await demoToken(deps.db);
    res.setHeader('Cache-Control', 'no-store');
    if (!token) return void res.status(404).json({ error: { code: 'not_found', message: 'Open /demo/sso first.', details: [] } });
    res.json({ token });
  });
  router.get('/demo/sso.js', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('js').send(signInScript);
  });
  router.get('/demo', (req, res) => {
    res.setHeader('Content-Security-Policy', DEMO_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(demoPage(options(req)));
  });
  router.get('/demo/demo.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('css').send(css);
  });
  return router;
}
