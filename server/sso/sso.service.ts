import type { Commenter } from '../../db/schema';
import { authenticateToken } from '../commenters/commenter.service';
import { type Db, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { hashSecret, newId, newSecret, sha256 } from '../ids';
import { getSite, type SiteWithSettings } from '../sites/site.service';
import type { JwksCache } from './jwks';
import { restoreBan } from './sso-bans';
import { markUsed } from './sso-key.repo';
import * as repo from './sso.repo';
import { ssoInvalid } from './sso.errors';
import type { ReaderClaims, SsoLoginInput } from './sso.schema';
import { requestHash, seal, unseal } from './seal';
import { SKEW_SECONDS, verifyToken } from './verify';

export interface SsoDeps {
  db: Db;
  bus: EventBus;
  jwks: JwksCache;
}

/** A retry of the same sign-in within this window answers with the same commenter token. */
const RETRY_MS = 60_000;
const CODE_LIFETIME_MS = 60_000;

export interface SignedIn {
  commenterToken: string;
  commenter: Commenter;
}

async function ssoSite(db: Db, siteId: string): Promise<SiteWithSettings> {
  const site = await getSite(db, siteId).catch(() => null);
  if (!site) throw errors.notFound('The site');
  if (site.settings.sso.mode === 'off') throw ssoInvalid('sso_disabled', 'This site does not sign readers in with its own accounts.');
  return site;
}

const profileOf = (c: ReaderClaims): repo.Profile => ({
  name: c.name || null,
  email: c.email || null,
  website: c.website || null,
  reader_badge: c.badge || null,
  // Only an email the publisher sent and vouched for counts as verified.
  email_verified: !!c.email && c.email_verified === true,
});

/** An earlier answer to the same presented token or code, if it is recent and its token still works. */
async function earlierAnswer(db: Db, presented: string, sealed: string | null, at: Date, now: Date): Promise<SignedIn | null> {
  if (!sealed || now.getTime() - at.getTime() > RETRY_MS) return null;
  const token = await unseal(presented, sealed);
  if (!token) return null;
  const commenter = await authenticateToken(db, token).catch(() => null);
  return commenter ? { commenterToken: token, commenter } : null;
}

/**
 * The reader's commenter token for this identity: the one the browser already holds when it belongs
 * to the same identity (a page view signs in again without multiplying tokens), else a new one for
 * this device.
 */
async function tokenFor(trx: Parameters<typeof repo.insertToken>[0], commenter: Commenter, held: string | null): Promise<string> {
  if (held && (await repo.tokenOwner(trx, hashSecret(held))) === commenter.id) return held;
  const token = newSecret('ct');
  await repo.insertToken(trx, commenter.id, hashSecret(token));
  return token;
}

/**
 * Signs a reader in with a publisher's token or exchange code (SPEC §9): one commenter per
 * `(site, sub)`, whose profile and badge follow the latest sign-in. `held`: the commenter token the
 * browser sent, if any. Never grants anything but a commenter identity.
 */
export async function signIn(deps: SsoDeps, input: SsoLoginInput, held: string | null, now = new Date()): Promise<SignedIn> {
  const site = await ssoSite(deps.db, input.site);
  return input.token !== undefined ? withToken(deps, site, input.token, held, now) : withCode(deps, site, input.code!, held, now);
}

async function withToken(deps: SsoDeps, site: SiteWithSettings, token: string, held: string | null, now: Date): Promise<SignedIn> {
  const { claims, keyId } = await verifyToken({ db: deps.db, jwks: deps.jwks }, { id: site.id, sso: site.settings.sso }, token, now);
  const jtiHash = sha256(claims.jti);
  const presentedHash = requestHash(token);
  const result = await inTransaction(deps, async ({ trx }) => {
    const expiresAt = new Date((claims.exp + SKEW_SECONDS) * 1000);
    if (!(await repo.claimJti(trx, { site_id: site.id, jti_hash: jtiHash, request_hash: presentedHash, expires_at: expiresAt }))) return null;
    const commenter = await repo.upsertIdentity(trx, site.id, claims.sub, newId(), profileOf(claims));
    await restoreBan(trx, site.id, claims.sub, commenter.id, now);
    const commenterToken = await tokenFor(trx, commenter, held);
    await repo.sealJti(trx, site.id, jtiHash, await seal(token, commenterToken));
    await markUsed(trx, keyId, now);
    return { commenterToken, commenter };
  });
  if (result) return result;
  const used = await repo.findJti(deps.db, site.id, jtiHash);
  const again = used && used.request_hash === presentedHash ? await earlierAnswer(deps.db, token, used.sealed, used.created_at, now) : null;
  if (again) return again;
  throw ssoInvalid('replayed', 'This token was already used to sign in (its jti is single use).', 'jti');
}

async function withCode(deps: SsoDeps, site: SiteWithSettings, code: string, held: string | null, now: Date): Promise<SignedIn> {
  const codeHash = hashSecret(code);
  const result = await inTransaction(deps, async ({ trx }) => {
    const taken = await repo.takeCode(trx, site.id, codeHash, now);
    if (!taken) return null;
    const claims = taken.claims as unknown as ReaderClaims;
    const commenter = await repo.upsertIdentity(trx, site.id, taken.sub, newId(), profileOf(claims));
    await restoreBan(trx, site.id, taken.sub, commenter.id, now);
    const commenterToken = await tokenFor(trx, commenter, held);
    await repo.sealCode(trx, codeHash, await seal(code, commenterToken));
    return { commenterToken, commenter };
  });
  if (result) return result;
  const row = await repo.findCode(deps.db, site.id, codeHash);
  if (row?.used_at) {
    const again = await earlierAnswer(deps.db, code, row.sealed, row.used_at, now);
    if (again) return again;
    throw ssoInvalid('code_used', 'This sign-in code was already used.', 'code');
  }
  throw ssoInvalid('expired', 'This sign-in code has expired or is not known.', 'code');
}

/** The exchange (SPEC §9): the publisher's server hands over the claims, the page only a 60-second code. */
export async function createCode(deps: { db: Db }, siteId: string, claims: ReaderClaims, now = new Date()) {
  await ssoSite(deps.db, siteId);
  const code = newSecret('sc');
  const expiresAt = new Date(now.getTime() + CODE_LIFETIME_MS);
  await repo.insertCode(deps.db, { code_hash: hashSecret(code), site_id: siteId, sub: claims.sub, claims: { ...claims }, expires_at: expiresAt });
  return { code, expiresAt: expiresAt.toISOString() };
}
