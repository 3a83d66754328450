import { decodeProtectedHeader, errors as jose, importJWK, type JWK, jwtVerify, type JWTVerifyGetKey, type KeyLike } from 'jose';
import type { SsoKey } from '../../db/schema';
import type { Executor } from '../db';
import { JwksUnreachable, type JwksCache } from './jwks';
import * as repo from './sso-key.repo';
import { ssoInvalid } from './sso.errors';
import { type SsoSettings, TokenClaimsSchema } from './sso.schema';

const ALGORITHMS = new Set(['HS256', 'RS256', 'ES256', 'EdDSA']);
/** Clocks disagree: 60 s either way is allowed (SPEC §9). */
export const SKEW_SECONDS = 60;

export type VerifiedClaims = ReturnType<typeof TokenClaimsSchema.parse>;

type Verifier = { key: KeyLike | Uint8Array | JWTVerifyGetKey; keyId: string; alg: string };

/** The one key a token may be checked with, chosen by its `kid`, never by what its header claims to be. */
async function keyFor(db: Executor, jwks: JwksCache, siteId: string, alg: string, kid: string): Promise<Verifier> {
  const candidates = await repo.candidateKeys(db, siteId, kid);
  const named = candidates.find((k) => k.kid === kid);
  if (named) {
    // A token whose header names another algorithm than the key was registered for (algorithm
    // confusion: HS256 "signed" with an RS256 key's public PEM) is refused before any check.
    if (named.alg !== alg) throw ssoInvalid('algorithm_not_allowed', `The key "${kid}" is registered for ${named.alg}, not ${alg}.`);
    return { key: await material(named), keyId: named.id, alg };
  }
  let unreachable: JwksUnreachable | undefined;
  for (const source of candidates.filter((k) => k.kind === 'jwks' && k.alg === alg)) {
    try {
      const set = await jwks.setFor(source.jwks_url!, kid);
      if (set) return { key: set, keyId: source.id, alg };
    } catch (err) {
      if (!(err instanceof JwksUnreachable)) throw err;
      unreachable = err;
    }
  }
  if (unreachable) throw ssoInvalid('keys_unreachable', `${unreachable.message} Sign-in cannot be checked until it answers.`);
  throw ssoInvalid('unknown_key', `No live key of this site has the kid "${kid}".`);
}

async function material(key: SsoKey): Promise<KeyLike | Uint8Array> {
  if (key.kind === 'secret') return new TextEncoder().encode(key.secret!);
  return importJWK(key.public_jwk as unknown as JWK, key.alg) as Promise<KeyLike>;
}

/** jose's refusals, in the words of SPEC §9. */
function reasonFor(err: unknown) {
  if (err instanceof jose.JWSSignatureVerificationFailed) return ssoInvalid('bad_signature', 'The token’s signature does not match the key.');
  if (err instanceof jose.JWTExpired) return ssoInvalid('expired', 'The token has expired.');
  if (err instanceof jose.JOSEAlgNotAllowed) return ssoInvalid('algorithm_not_allowed', 'The token’s algorithm is not allowed for this key.');
  if (err instanceof jose.JWKSNoMatchingKey || err instanceof jose.JWKSMultipleMatchingKeys) return ssoInvalid('unknown_key', 'No key of the key set matches the token.');
  if (err instanceof jose.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return ssoInvalid('wrong_audience', 'The token’s audience (aud) is not this site.', 'aud');
    if (err.claim === 'iss') return ssoInvalid('issuer_mismatch', 'The token’s issuer (iss) is not the one this site expects.', 'iss');
    if (err.claim === 'nbf') return ssoInvalid('issued_in_future', 'The token is not valid yet (nbf).', 'nbf');
    return ssoInvalid('malformed', `The token’s "${err.claim}" claim is missing or not valid.`, err.claim);
  }
  if (err instanceof jose.JOSENotSupported) return ssoInvalid('algorithm_not_allowed', 'The token uses something this site does not accept.');
  return ssoInvalid('malformed', 'The token is not a well-formed signed JWT.');
}

/**
 * Checks a publisher's token for a site (SPEC §9): header, key, signature, audience, issuer, expiry,
 * then the claims Parley keeps. Any failure is a 401 `sso_invalid` with its reason. The `jti` is not
 * claimed here: the caller does it in the sign-in's transaction.
 */
export async function verifyToken(
  deps: { db: Executor; jwks: JwksCache },
  site: { id: string; sso: SsoSettings },
  token: string,
  now = new Date(),
): Promise<{ claims: VerifiedClaims; keyId: string }> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw ssoInvalid('malformed', 'The token is not a well-formed signed JWT.');
  }
  if (token.split('.').length !== 3) throw ssoInvalid('malformed', 'The token is not a compact JWS.');
  if (typeof header.alg !== 'string' || !ALGORITHMS.has(header.alg)) {
    throw ssoInvalid('algorithm_not_allowed', `The algorithm "${String(header.alg)}" is not accepted (HS256, RS256, ES256 or EdDSA).`);
  }
  if (typeof header.kid !== 'string' || !header.kid || header.kid.length > 100) throw ssoInvalid('malformed', 'The token’s header must name its key (kid).', 'kid');

  const verifier = await keyFor(deps.db, deps.jwks, site.id, header.alg, header.kid);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, verifier.key as KeyLike, {
      algorithms: [verifier.alg],
      audience: site.id,
      ...(site.sso.issuer ? { issuer: site.sso.issuer } : {}),
      clockTolerance: SKEW_SECONDS,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
    }));
  } catch (err) {
    throw reasonFor(err);
  }
  const parsed = TokenClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const claim = issue.path.join('.') || 'payload';
    throw ssoInvalid('malformed', `The token’s "${claim}" claim ${issue.message}.`, claim);
  }
  const claims = parsed.data;
  const nowSeconds = now.getTime() / 1000;
  if (claims.iat > nowSeconds + SKEW_SECONDS) throw ssoInvalid('issued_in_future', 'The token was issued in the future (check the clock of the signing server).', 'iat');
  if (claims.exp - claims.iat > site.sso.tokenMaxAge) {
    throw ssoInvalid('lifetime_too_long', `The token lives longer than this site allows (${site.sso.tokenMaxAge} s from iat to exp).`, 'exp');
  }
  return { claims, keyId: verifier.keyId };
}
