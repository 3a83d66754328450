import type { Request, RequestHandler, Response, Router } from 'express';
import { authenticateToken, TOKEN_PREFIX } from '../commenters/commenter.service';
import type { Deps } from '../deps';
import { AppError, errors } from '../errors';
import { bearer } from '../http/actor';
import { parse } from '../validate';
import { getSite } from '../sites/site.service';
import * as repo from './mail.repo';
import { confirmedPage, confirmPage, gonePage, unsubscribedPage, unsubscribePage } from './mail.pages';
import { ConfirmTokenQuery, SubscribeSchema, SubscriptionIdParam, UnsubscribeTokenQuery } from './mail.schema';
import { isModeratorScope } from './unsubscribe-token';
import { CONFIRM_PATH, confirm, findConfirmation, readUnsubscribe, subscribe, UNSUBSCRIBE_PATH, unsubscribe } from './subscription.service';

const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';
const mailDeps = (deps: Deps) => ({ ...deps, publicUrl: deps.config.publicUrl });

async function self(deps: Deps, req: Request) {
  const token = bearer(req);
  if (!token || !token.startsWith(TOKEN_PREFIX)) throw errors.unauthenticated('Send your commenter token as "Authorization: Bearer ct_…".');
  return authenticateToken(deps.db, token);
}

function subscriptionView(s: Awaited<ReturnType<typeof repo.subscriptionsOf>>[number]) {
  return {
    id: s.id,
    siteId: s.site_id,
    threadId: s.thread_id,
    commentId: s.comment_id,
    scope: s.scope,
    email: s.email,
    confirmed: s.confirmed_at !== null,
    thread: { title: s.title ?? null, url: s.url ?? null },
    createdAt: s.created_at.toISOString(),
  };
}

/** A gone link as a page for a person, as JSON for a program. */
async function orGone(req: Request, res: Response, lang: 'en' | 'fr', fn: () => Promise<void>) {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof AppError && err.kind === 'gone' && wantsHtml(req))) throw err;
    res.status(410).type('html').send(gonePage(lang));
  }
}

export function mailRoutes(router: Router, deps: Deps): void {
  const md = mailDeps(deps);

  router.get('/mail/confirm', async (req, res) => {
    const { token } = parse(ConfirmTokenQuery, req.query, 'query');
    await orGone(req, res, 'en', async () => {
      const address = await findConfirmation(md, token);
      const site = await getSite(deps.db, address.site_id);
      if (wantsHtml(req)) res.type('html').send(confirmPage(address.lang, site.name, `${CONFIRM_PATH}?token=${token}`));
      else res.json({ result: { done: false, site: site.name } });
    });
  });

  router.post('/mail/confirm', async (req, res) => {
    const { token } = parse(ConfirmTokenQuery, req.query, 'query');
    await orGone(req, res, 'en', async () => {
      const address = await confirm(md, token);
      const site = await getSite(deps.db, address.site_id);
      if (wantsHtml(req)) res.type('html').send(confirmedPage(address.lang, site.name));
      else res.json({ result: { done: true, site: site.name } });
    });
  });

  router.get('/mail/unsubscribe', async (req, res) => {
    const { token } = parse(UnsubscribeTokenQuery, req.query, 'query');
    const { claim, address } = await readUnsubscribe(deps, token);
    const prefs = isModeratorScope(claim.scope) ? await deps.db.selectFrom('mail_moderator_prefs').selectAll().where('id', '=', claim.addressId).executeTakeFirst() : undefined;
    const owner = address ?? prefs;
    if (!wantsHtml(req)) return void res.json({ result: { done: !owner, scope: claim.scope } });
    if (!owner) return void res.type('html').send(unsubscribedPage('en'));
    const site = await getSite(deps.db, owner.site_id);
    res.type('html').send(unsubscribePage(owner.lang, site.name, claim.scope, `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`));
  });

  // Reached only through the API's own rules (the app serves this path first, forms included).
  router.post('/mail/unsubscribe', oneClickUnsubscribe(deps));

  router.get('/me/subscriptions', async (req, res) => {
    const commenter = await self(deps, req);
    res.json({ items: (await repo.subscriptionsOf(deps.db, commenter.id)).map(subscriptionView) });
  });

  router.post('/me/subscriptions', async (req, res) => {
    const commenter = await self(deps, req);
    const input = parse(SubscribeSchema, req.body);
    const email = input.email ?? commenter.email;
    if (!email) throw errors.validation('Give an email address to be told at.', [{ path: 'email', message: 'is required' }]);
    const thread = await deps.db.selectFrom('threads').select(['id', 'site_id']).where('id', '=', input.threadId).executeTakeFirst();
    if (!thread) throw errors.notFound('The thread');
    if (input.commentId) {
      const comment = await deps.db.selectFrom('comments').select(['thread_id']).where('id', '=', input.commentId).executeTakeFirst();
      if (comment?.thread_id !== thread.id) throw errors.notFound('The comment');
    }
    const site = await getSite(deps.db, thread.site_id);
    const { subscription } = await subscribe(md, {
      site,
      commenterId: commenter.id,
      email,
      lang: input.lang ?? site.settings.locale,
      threadId: thread.id,
      commentId: input.commentId ?? null,
    });
    const view = (await repo.subscriptionsOf(deps.db, commenter.id)).find((s) => s.id === subscription.id)!;
    res.status(201).json({ subscription: subscriptionView(view) });
  });

  router.delete('/me/subscriptions/:subscriptionId', async (req, res) => {
    const commenter = await self(deps, req);
    const id = parse(SubscriptionIdParam, req.params.subscriptionId, 'path');
    const removed = await deps.db.transaction().execute((trx) => repo.deleteSubscriptions(trx, { id, commenterId: commenter.id }));
    if (!removed) throw errors.notFound('The subscription');
    res.status(204).end();
  });
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * RFC 8058 one-click: `POST <List-Unsubscribe URL>` with the body `List-Unsubscribe=One-Click`, as a
 * form (urlencoded or multipart), the token in the URL; also the button of the unsubscribe page.
 * Mounted before the API's JSON-only rule (SPEC §13 "Bodies that are not JSON"); the body itself is
 * read and dropped, at most 16 KB of it.
 */
export function oneClickUnsubscribe(deps: Deps): RequestHandler {
  const md = mailDeps(deps);
  return async (req, res) => {
    const { token } = parse(UnsubscribeTokenQuery, req.query, 'query');
    const length = Number(req.headers['content-length'] ?? 0);
    if ((length > 0 || req.headers['transfer-encoding']) && !req.is(FORM_TYPES)) {
      throw new AppError('unsupported_media', 'unsupported_media_type', 'Send the unsubscribe request as a form (application/x-www-form-urlencoded or multipart/form-data).');
    }
    if (length > 16_384) throw new AppError('too_large', 'payload_too_large', 'The request body is too large.');
    await new Promise<void>((resolve) => {
      req.on('end', resolve).on('error', resolve).resume();
      if (req.readableEnded) resolve();
    });
    const outcome = await unsubscribe(md, token);
    res.setHeader('Cache-Control', 'no-store');
    if (wantsHtml(req)) res.type('html').send(unsubscribedPage(outcome.address?.lang ?? 'en'));
    else res.json({ result: { done: true, scope: outcome.scope } });
  };
}
