import type { Request, Response, Router } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Deps } from '../deps';
import { AppError, errors } from '../errors';
import { parse } from '../validate';
import { exportFileName } from './export.service';
import { meRoutes } from './me.routes';
import { privacyPolicy } from './policy.service';
import { CreateRequestSchema, LinkQuery, PolicyQuery } from './privacy.schema';
import { carryOutLink, createPrivacyRequest, findLinkRequest, LINK_PATH } from './requests.service';
import { confirmPage, erasedPage, gonePage } from './requests.texts';

const RECEIVED = {
  mail: 'If this address was used to comment here, a link to confirm has been sent to it. It works once, for 24 hours.',
  admin: 'If this address was used to comment here, the site’s team will carry out your request and reply to that address.',
};

/** Self-service (/me), the plain-words policy, and lost-token requests with their mailed links. */
export function privacyRoutes(router: Router, deps: Deps): void {
  const { mailer } = deps;
  meRoutes(router, deps);
  const requestDeps = { ...deps, publicUrl: deps.config.publicUrl };
  // Per network (hashed, never the address): enough for a person who mistyped, too few to mailbomb.
  const limiter = new RateLimiterMemory({ points: 5, duration: 3600 });

  router.get('/privacy', async (req, res) => {
    const query = parse(PolicyQuery, req.query, 'query');
    res.json({ privacy: await privacyPolicy({ db: deps.db, mail: mailer !== null }, query.site, query.lang) });
  });

  router.post('/privacy/requests', async (req, res) => {
    const input = parse(CreateRequestSchema, req.body);
    if (deps.config.rateLimits) {
      const key = (await deps.network.hash(req.ip)) ?? 'unknown';
      try {
        await limiter.consume(key);
      } catch (rejection) {
        const ms = (rejection as { msBeforeNext?: number }).msBeforeNext ?? 60_000;
        throw errors.rateLimited('Too many requests from your network. Please try again later.', ms / 1000);
      }
    }
    const { delivery } = await createPrivacyRequest(requestDeps, input);
    res.status(202).json({ request: { status: 'received', delivery, message: RECEIVED[delivery] } });
  });

  const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';
  /** A person who opens a used or expired link sees a page that says so, not JSON. */
  const linkRoute = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (!(err instanceof AppError && err.kind === 'gone' && wantsHtml(req))) throw err;
      res.status(410).type('html').send(gonePage(req.acceptsLanguages('en', 'fr') === 'fr' ? 'fr' : 'en'));
    }
  };

  // The mailed link. GET only shows what will happen (mail scanners and previews follow links);
  // POST, from the page's button or a client, carries it out.
  router.get('/privacy/link', linkRoute(async (req, res) => {
    const { token } = parse(LinkQuery, req.query, 'query');
    const { request, site } = await findLinkRequest(deps, token);
    if (wantsHtml(req)) {
      const action = `${LINK_PATH}?token=${encodeURIComponent(token)}`;
      res.type('html').send(confirmPage(site.settings.locale, request.kind, site.name, action));
      return;
    }
    res.json({ request: { kind: request.kind, site: { id: site.id, name: site.name }, expiresAt: request.expires_at!.toISOString() } });
  }));

  router.post('/privacy/link', linkRoute(async (req, res) => {
    const { token } = parse(LinkQuery, req.query, 'query');
    const { site } = await findLinkRequest(deps, token);
    const outcome = await carryOutLink(requestDeps, token);
    if (outcome.kind === 'export') {
      res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(site.id)}"`);
      res.json({ export: outcome.document });
      return;
    }
    if (wantsHtml(req)) {
      res.type('html').send(erasedPage(site.settings.locale, site.name));
      return;
    }
    res.json({ erasure: outcome.erasure });
  }));
}
