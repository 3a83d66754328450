import type { CookieOptions, Response, Router } from 'express';
import type { Deps } from '../deps';
import { errors } from '../errors';
import { staffAuth } from '../http/staff';
import { parse } from '../validate';
import { createLoginThrottle } from './login-throttle';
import { ChangePasswordSchema, LoginSchema, SetPasswordSchema } from './member.schema';
import { setPasswordWithLink } from './password-link.service';
import { changePassword, login, sessionView } from './member.service';
import { authenticateSession, csrfTokenFor, endSession, SESSION_COOKIE, sessionTokenFromCookieHeader } from './session.service';

/** `/auth/*`: members sign in with a session cookie that only Parley's own pages send back. */
export function memberRoutes(router: Router, deps: Deps): void {
  const throttle = createLoginThrottle(deps.db);
  const cookieOptions = (): CookieOptions => ({
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.config.publicUrl.startsWith('https:'),
    path: '/',
  });
  const clearCookie = (res: Response) => res.clearCookie(SESSION_COOKIE, cookieOptions());

  router.post('/auth/login', async (req, res) => {
    const input = parse(LoginSchema, req.body);
    const networkHash = await deps.network.hash(req.ip);
    const { token, expiresAt } = await login({ db: deps.db, throttle }, { ...input, networkHash });
    const session = await authenticateSession(deps.db, token);
    if (!session) throw errors.unavailable();
    res.cookie(SESSION_COOKIE, token, { ...cookieOptions(), expires: expiresAt });
    res.json(sessionView(session, csrfTokenFor(token)));
  });

  router.get('/auth/me', async (req, res) => {
    const token = sessionTokenFromCookieHeader(req.headers.cookie);
    const session = await authenticateSession(deps.db, token);
    if (!session || !token) {
      if (token) clearCookie(res);
      throw errors.unauthenticated('You are not signed in.');
    }
    res.json(sessionView(session, csrfTokenFor(token)));
  });

  router.post('/auth/logout', async (req, res) => {
    const token = sessionTokenFromCookieHeader(req.headers.cookie);
    if (token && (await authenticateSession(deps.db, token))) {
      await staffAuth(deps, req); // the CSRF check: a foreign page must not sign a member out
      deps.bus.emit('staff.revoked', { sessionHashes: [await endSession(deps.db, token)] });
    }
    clearCookie(res);
    res.status(204).end();
  });

  // A new member's one-time link: no session yet, so no CSRF token; the token itself is the proof.
  router.post('/auth/set-password', async (req, res) => {
    await setPasswordWithLink(deps.db, parse(SetPasswordSchema, req.body));
    res.status(204).end();
  });

  router.post('/auth/password', async (req, res) => {
    const { session } = await staffAuth(deps, req);
    if (!session) throw errors.forbidden('member_only', 'Only a signed-in member can change their password.');
    await changePassword(deps, session, parse(ChangePasswordSchema, req.body));
    res.status(204).end();
  });
}
