import type { PrivacyExtension } from '../privacy/privacy.extension';
import { keepBan, pruneEnded } from './sso-bans';
import * as repo from './sso.repo';

/** Codes are kept a little past their 60 s, so a retried exchange can still be answered. */
const GRACE_MS = 2 * 60_000;

/**
 * What sign-in keeps about a reader (SPEC §13): the `(site, sub)` identity, their per-device
 * commenter tokens (hashes), and exchange codes (with the claims, for 60 s). Single-use jti's are
 * kept as hashes, linked to nobody, until the token would have expired. Export shows the identity;
 * erasure removes all of it, but for a ban in force, kept as a keyed hash of `(site, sub)` until it
 * ends (sso-bans.ts); retention prunes expired jti's and codes, and kept bans that ended.
 */
export const ssoPrivacy: PrivacyExtension = {
  name: 'sso',
  async export(db, subject) {
    const identity = await repo.identityOf(db, subject.commenterId);
    if (!identity || (subject.siteId && identity.site_id !== subject.siteId)) return {};
    return {
      signIn: {
        site: identity.site_id,
        accountId: identity.sub,
        badge: identity.reader_badge,
        emailVerified: identity.email_verified,
        firstSignIn: identity.created_at.toISOString(),
        lastSignIn: identity.last_login_at.toISOString(),
        devicesSignedIn: await repo.tokenCount(db, subject.commenterId),
      },
    };
  },
  async erase(uow, subject) {
    const identity = await repo.identityOf(uow.trx, subject.commenterId);
    if (identity && subject.siteId && identity.site_id !== subject.siteId) return { signInIdentities: 0, signInTokens: 0, signInCodes: 0, signInBansKept: 0 };
    // Before the moderation extension drops the commenter's bans (extensions.ts orders them).
    const kept = identity ? await keepBan(uow.trx, identity, subject.commenterId) : 0;
    const forgotten = await repo.forgetIdentity(uow.trx, subject.commenterId);
    return { signInIdentities: forgotten.identities, signInTokens: forgotten.tokens, signInCodes: forgotten.codes, signInBansKept: kept };
  },
  async retention(db, { now, site }) {
    const pruned = await repo.pruneExpired(db, site.id, new Date(now.getTime() - GRACE_MS));
    return { signInJtis: pruned.jtis, signInCodes: pruned.codes, signInBansKept: await pruneEnded(db, site.id, now) };
  },
};
