import { type Request, type Response, Router } from 'express';
import type { Logger } from 'pino';
import { type Asset, type WidgetBuild, widgetBuild } from '../../client/build';

/**
 * Sends a built asset: the precompressed body the browser accepts, a strong ETag (304 when it
 * matches). Cross-origin ones (the widget) are readable by publishers' pages; the dashboard's are not.
 */
export function sendAsset(asset: Asset, req: Request, res: Response, options: { crossOrigin: boolean }): void {
  if (options.crossOrigin) {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
  }
  res.setHeader('Content-Type', asset.contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('ETag', asset.etag);
  res.setHeader(
    'Cache-Control',
    asset.immutable ? 'public, max-age=31536000, immutable' : options.crossOrigin ? 'public, max-age=300, stale-while-revalidate=86400' : 'no-cache',
  );
  const tags = String(req.headers['if-none-match'] ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''));
  if (tags.includes(asset.etag)) {
    res.status(304).end();
    return;
  }
  const accepts = String(req.headers['accept-encoding'] ?? '');
  let body = asset.body;
  if (/\bbr\b/.test(accepts)) {
    res.setHeader('Content-Encoding', 'br');
    body = asset.brotli;
  } else if (/\bgzip\b/.test(accepts)) {
    res.setHeader('Content-Encoding', 'gzip');
    body = asset.gzip;
  }
  res.setHeader('Content-Length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Serves the widget's scripts: built in memory at start, precompressed, with a strong ETag.
 * Publishers' pages load them from other origins, so they are marked cross-origin readable (CORP,
 * and CORS for the module the widget may import later). `embed.js` keeps one stable URL that pages
 * hard-code, so browsers revalidate it every few minutes; content-hashed files are immutable.
 */
export function assetRoutes(log: Logger): { router: Router; ready: Promise<WidgetBuild> } {
  const ready = widgetBuild();
  ready.catch((err) => log.error({ err }, 'the widget could not be built'));
  const router = Router();

  router.get(['/embed.js', '/count.js', '/widget/:file'], async (req, res, next) => {
    const build = await ready;
    const asset = build.assets.get(req.path);
    if (!asset) return next();
    sendAsset(asset, req, res, { crossOrigin: true });
  });
  return { router, ready };
}
