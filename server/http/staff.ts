import type { Request } from 'express';
import type { Deps } from '../deps';
import { AppError, errors } from '../errors';
import { API_KEY_PREFIX, authenticateApiKey } from '../members/apikey.service';
import type { StaffActor } from '../members/permissions';
import { authenticateSession, csrfMatches, type MemberSession, memberActor, sessionTokenFromCookieHeader } from '../members/session.service';
import { bearer } from './actor';
import { SiteIdSchema } from '../sites/site.schema';
import { parse } from '../validate';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface StaffAuth {
  actor: StaffActor;
  /** Set when the member signed in with a session cookie. */
  session?: MemberSession;
  sessionToken?: string;
}

/**
 * Who is calling the moderation and administration API: an `Authorization: Bearer sk_…` site key,
 * or a member's session cookie. A cookie-authenticated write must carry the session's
 * `X-CSRF-Token`: the cookie alone is what a forged cross-site request would have.
 */
export async function staffAuth(deps: Deps, req: Request): Promise<StaffAuth> {
  const token = bearer(req);
  if (token?.startsWith(API_KEY_PREFIX)) {
    const key = await authenticateApiKey(deps.db, token);
    if (!key) throw errors.unauthenticated('The API key is not valid, or it was revoked.');
    return { actor: key };
  }
  const sessionToken = sessionTokenFromCookieHeader(req.headers.cookie);
  const session = sessionToken ? await authenticateSession(deps.db, sessionToken) : null;
  if (!session || !sessionToken) {
    throw errors.unauthenticated(
      sessionToken ? 'Your session has ended. Please sign in again.' : 'Sign in as a member of the site, or use a site API key.',
    );
  }
  if (!SAFE_METHODS.has(req.method) && !csrfMatches(sessionToken, req.get('x-csrf-token'))) {
    throw new AppError('forbidden', 'csrf_token_invalid', 'This request needs the X-CSRF-Token header from /auth/me.');
  }
  return { actor: memberActor(session), session, sessionToken };
}

export async function staffActor(deps: Deps, req: Request): Promise<StaffActor> {
  return (await staffAuth(deps, req)).actor;
}

/** A staff route under `/sites/:siteId`: who asks (401 when nobody), and the site id of the path, checked (400). */
export async function staffOnSite(deps: Deps, req: Request): Promise<{ actor: StaffActor; siteId: string }> {
  const actor = await staffActor(deps, req);
  return { actor, siteId: parse(SiteIdSchema, req.params.siteId, 'path') };
}

/** The site of the request's API key, for reader routes that a key may also call; null without one. */
export async function apiKeySiteOf(deps: Deps, req: Request): Promise<string | null> {
  const token = bearer(req);
  if (!token?.startsWith(API_KEY_PREFIX)) return null;
  const key = await authenticateApiKey(deps.db, token);
  if (!key) throw errors.unauthenticated('The API key is not valid, or it was revoked.');
  return key.siteId;
}
