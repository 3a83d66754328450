import { exportJWK, importJWK, importSPKI, type JWK } from 'jose';
import type { SsoKey } from '../../db/schema';
import { type Db, inTransaction } from '../db';
import { errors } from '../errors';
import type { EventBus } from '../events';
import { newId, randomBytes } from '../ids';
import { authorize, type StaffActor } from '../members/permissions';
import { writeLog } from '../audit/audit.repo';
import { refusedAddress } from '../address';
import * as repo from './sso-key.repo';
import type { CreateSsoKeyInput } from './sso.schema';
import { isoOrNull } from '../clock';

interface KeyDeps {
  db: Db;
  bus: EventBus;
  allowPrivate: boolean;
}

export function ssoKeyView(k: SsoKey) {
  return {
    id: k.id,
    kind: k.kind,
    kid: k.kid,
    alg: k.alg,
    jwksUrl: k.jwks_url,
    createdAt: k.created_at.toISOString(),
    lastUsedAt: isoOrNull(k.last_used_at),
    retiredAt: isoOrNull(k.retired_at),
  };
}

const refused = (path: string, message: string) => errors.validation('The key is not valid.', [{ path, message }]);

/** The key type each algorithm verifies with: a key is only ever used for the algorithm it fits. */
const FITS: Record<'RS256' | 'ES256' | 'EdDSA', (jwk: JWK) => boolean> = {
  RS256: (jwk) => jwk.kty === 'RSA',
  ES256: (jwk) => jwk.kty === 'EC' && jwk.crv === 'P-256',
  EdDSA: (jwk) => jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448'),
};

/** The public JWK of a key given as JWK or PEM, checked against the algorithm it is registered for. */
async function publicJwk(input: Extract<CreateSsoKeyInput, { kind: 'public' }>): Promise<JWK> {
  if ((input.jwk === undefined) === (input.pem === undefined)) throw refused('jwk', 'send the public key as either jwk or pem');
  const field = input.jwk ? 'jwk' : 'pem';
  if (input.jwk && ('d' in input.jwk || 'k' in input.jwk)) throw refused('jwk', 'is a private or shared key: send only the public part');
  let jwk: JWK;
  try {
    jwk = await exportJWK(input.jwk ? await importJWK(input.jwk as unknown as JWK, input.alg) : await importSPKI(input.pem!.trim(), input.alg));
  } catch {
    throw refused(field, input.jwk ? `is not a public key that can verify ${input.alg}` : 'is not a public key in PEM (SPKI) form');
  }
  if (!FITS[input.alg](jwk)) throw refused(field, `is a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key, which cannot verify ${input.alg}`);
  return jwk;
}

/**
 * Registers a key. A shared secret is generated here (256 random bits) and returned this once; a
 * public key is stored as a JWK; a JWKS source is only an address, fetched when a token needs it.
 */
export async function createSsoKey(deps: KeyDeps, actor: StaffActor, siteId: string, input: CreateSsoKeyInput) {
  authorize(actor, siteId, 'administer');
  let row: Parameters<typeof repo.insertKey>[1];
  let secret: string | undefined;
  const id = newId();
  if (input.kind === 'secret') {
    secret = randomBytes(32).toString('base64url');
    row = { id, site_id: siteId, kind: 'secret', kid: input.kid ?? id, alg: 'HS256', secret, public_jwk: null, jwks_url: null };
  } else if (input.kind === 'public') {
    const jwk = await publicJwk(input);
    const kid = input.kid ?? (typeof input.jwk?.kid === 'string' ? input.jwk.kid : id);
    row = { id, site_id: siteId, kind: 'public', kid, alg: input.alg, secret: null, public_jwk: jwk as unknown as Record<string, unknown>, jwks_url: null };
  } else {
    const problem = refusedAddress(input.url, deps.allowPrivate);
    if (problem) throw refused('url', problem);
    row = { id, site_id: siteId, kind: 'jwks', kid: null, alg: input.alg, secret: null, public_jwk: null, jwks_url: input.url };
  }
  const key = await inTransaction(deps, async ({ trx }) => {
    if (row.kid && (await repo.liveKidTaken(trx, siteId, row.kid))) {
      throw errors.conflict('kid_taken', `A live key of this site already has the kid "${row.kid}".`, [{ path: 'kid', message: 'is already used by a live key' }]);
    }
    const created = await repo.insertKey(trx, row);
    await writeLog(trx, { siteId, actor, action: 'sso_key.create', targetType: 'key', targetId: id, details: { kind: row.kind, kid: row.kid, alg: row.alg } });
    return created;
  });
  // The secret is shown this once: the list never returns it.
  return { key: ssoKeyView(key), ...(secret ? { secret } : {}) };
}

export async function listSsoKeys(deps: { db: Db }, actor: StaffActor, siteId: string) {
  authorize(actor, siteId, 'administer');
  return (await repo.listKeys(deps.db, siteId)).map(ssoKeyView);
}

export async function retireSsoKey(deps: KeyDeps, actor: StaffActor, siteId: string, keyId: string) {
  authorize(actor, siteId, 'administer');
  return inTransaction(deps, async ({ trx }) => {
    const key = await repo.retireKey(trx, siteId, keyId);
    if (!key) throw errors.notFound('The key');
    await writeLog(trx, { siteId, actor, action: 'sso_key.retire', targetType: 'key', targetId: keyId, details: { kid: key.kid } });
    return ssoKeyView(key);
  });
}
