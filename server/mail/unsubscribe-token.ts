import crypto from 'node:crypto';

/**
 * Signed unsubscribe tokens, one per scope (SPEC §10): this comment's replies (`c`), this thread
 * (`t`), or everything from this site (`s`). Signed with the address's own secret, so a link works
 * without signing in, cannot be forged for another address or scope, and dies with the address.
 */
/**
 * Members' mails: flagged comments (`f`), the pending digest (`d`) and, for admins, webhook endpoints
 * switched off (`w`), signed with their preferences' secret.
 */
export type ModeratorScope = 'f' | 'd' | 'w';
export type UnsubscribeScope = 'c' | 't' | 's' | ModeratorScope;
export const isModeratorScope = (scope: UnsubscribeScope): scope is ModeratorScope => scope === 'f' || scope === 'd' || scope === 'w';

export interface UnsubscribeClaim {
  addressId: string;
  scope: UnsubscribeScope;
  /** The comment or thread id; none for the site scope. */
  target: string | null;
}

const sign = (secret: string, text: string) => crypto.createHmac('sha256', secret).update(text).digest('base64url').slice(0, 32);

export function unsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  const text = [claim.addressId, claim.scope, claim.target ?? '-'].join('.');
  return `${text}.${sign(secret, text)}`;
}

export const TOKEN_PATTERN = /^[0-9a-z]{16}\.[ctsfdw]\.([0-9a-z]{16}|-)\.[\w-]{32}$/;

/** The claim a token makes, before its signature is checked against the address's secret. */
export function readToken(token: string): (UnsubscribeClaim & { check(secret: string): boolean }) | null {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [addressId, scope, target, mac] = token.split('.') as [string, UnsubscribeScope, string, string];
  const text = [addressId, scope, target].join('.');
  return {
    addressId,
    scope,
    target: target === '-' ? null : target,
    check: (secret) => crypto.timingSafeEqual(Buffer.from(sign(secret, text)), Buffer.from(mac)),
  };
}
