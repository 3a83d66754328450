import fs from 'node:fs';
import path from 'node:path';
import { type Request, Router } from 'express';
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
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types parley',
].join('; ');

const css = fs.readFileSync(path.join(__dirname, 'demo.css'));

function options(req: Request): DemoOptions {
  const q = req.query;
  return {
    lang: q.lang === 'fr' ? 'fr' : 'en',
    theme: q.theme === 'light' || q.theme === 'dark' ? q.theme : 'auto',
  };
}

export function demoRoutes(): Router {
  const router = Router();
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
