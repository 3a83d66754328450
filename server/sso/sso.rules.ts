import type { Commenter } from '../../db/schema';
import type { Db } from '../db';
import { errors } from '../errors';
import { getSite } from '../sites/site.service';
import type { SsoSettings } from './sso.schema';

/** Signed in through this site's accounts (not another site's, and not an anonymous token). */
export const signedInTo = (siteId: string, commenter: Pick<Commenter, 'sso_site_id'> | null | undefined) =>
  !!commenter && commenter.sso_site_id === siteId;

/**
 * In `required` mode anonymous readers read but do not post, like or vote (SPEC §9). Members post
 * through the moderation API and are not readers here.
 */
export function assertMayParticipate(site: { id: string; settings: { sso: SsoSettings } }, commenter: Commenter | null | undefined): void {
  if (site.settings.sso.mode === 'required' && !signedInTo(site.id, commenter)) {
    throw errors.forbidden('sign_in_required', 'Sign in with your account on this site to take part.');
  }
}

/** The same rule for writes that have not read their site yet (votes, likes). */
export async function assertMayParticipateIn(db: Db, siteId: string, commenter: Commenter | null | undefined): Promise<void> {
  if (signedInTo(siteId, commenter)) return;
  assertMayParticipate(await getSite(db, siteId), commenter);
}

/**
 * What a signed-in reader's form may not change: their name and website come from the publisher's
 * account (SPEC §9), so a form field cannot impersonate another subscriber.
 */
export function withoutAccountFields<T extends { name?: unknown; email?: unknown; website?: unknown }>(commenter: Commenter | null | undefined, input: T): T {
  return commenter?.sso_site_id ? { ...input, name: undefined, email: undefined, website: undefined } : input;
}

/**
 * What the widget needs to know of a site's sign-in, with the thread: nothing when the site does not
 * use it (the widget then never loads its sign-in code).
 */
export async function publicSsoOf(db: Db, siteId: string): Promise<{ sso: { mode: string; loginUrl: string | null; logoutUrl: string | null } } | null> {
  const { sso } = (await getSite(db, siteId)).settings;
  return sso.mode === 'off' ? null : { sso: { mode: sso.mode, loginUrl: sso.loginUrl, logoutUrl: sso.logoutUrl } };
}
