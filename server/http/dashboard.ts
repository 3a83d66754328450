import { Router } from 'express';
import type { Logger } from 'pino';
import { dashboardBuild } from '../../client/dashboard/build';
import { sendAsset } from './assets';

/**
 * The page is an empty shell: the script renders everything (in the member's language) from
 * Parley's own API. No inline script or style, so the default CSP (script-src 'self') holds.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>Parley moderation</title>
<link rel="stylesheet" href="/moderate/app.css">
<script src="/moderate/app.js" defer></script>
</head>
<body>
<div id="app"><p class="boot">Loading…</p></div>
</body>
</html>
`;

/** `/moderate`: the moderators' dashboard and its two assets, all same-origin. */
export function dashboardRoutes(log: Logger): Router {
  const ready = dashboardBuild();
  ready.catch((err) => log.error({ err }, 'the dashboard could not be built'));
  const router = Router();

  router.get('/moderate', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(PAGE);
  });

  router.get(['/moderate/app.js', '/moderate/app.css'], async (req, res, next) => {
    const asset = (await ready).get(req.path);
    if (!asset) return next();
    sendAsset(asset, req, res, { crossOrigin: false });
  });
  return router;
}
