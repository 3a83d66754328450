import { z } from 'zod';
import type { OperationDoc } from './openapi.operation';
import { ProfileSchema } from '../commenters/commenter.schema';
import { SiteIdSchema } from '../sites/site.schema';
import {
  CreateSsoKeySchema,
  ReaderClaimsSchema,
  SsoClaimSchema,
  SsoCodeReplySchema,
  SsoKeyIdParam,
  SsoKeyViewSchema,
  SsoLoginSchema,
  SsoSubParam,
  SsoUserPatchSchema,
} from '../sso/sso.schema';

/** Sign-in through the publisher's accounts (SPEC §9): the reader's exchange, the publisher's server, the admins' keys. */
const document = (name: string, description: string) => z.object({ [name]: z.record(z.string(), z.unknown()).meta({ description }) });
const SsoCommenter = z.object({
  commenter: ProfileSchema.shape.commenter.extend({
    readerBadge: z.string().nullable(),
    emailVerified: z.boolean().meta({ description: 'The publisher vouched for the email (`email_verified: true`); false once it changes' }),
    signedIn: z.boolean().meta({ description: 'Signed in with the site’s accounts' }),
  }),
});
const user = { sub: SsoSubParam };
const site = { siteId: SiteIdSchema };
const REASONS = 'expired, issued_in_future, lifetime_too_long, replayed, code_used, wrong_audience, issuer_mismatch, unknown_key, keys_unreachable, bad_signature, algorithm_not_allowed, malformed, sso_disabled';

export const SSO_OPERATIONS: OperationDoc[] = [
  { method: 'post', path: '/sso/login', tag: 'Sign-in', summary: 'Sign a reader in with the publisher’s token or exchange code', description: `Answers \`{commenterToken, commenter}\`: the one commenter of this account on this site. Send the reader’s current \`ct_…\` token as Authorization to keep it when it already belongs to this account. The same token or code sent again within 60 s answers with the same commenter token. When that Authorization token is an anonymous reader's with comments on this site, \`claimable.comments\` counts them: see \`POST /sso/claim\`. A refusal is 401 \`sso_invalid\` with \`details[0].reason\`: ${REASONS}. At most 60 sign-ins a minute per network (429 with Retry-After).`, auth: 'optional', body: SsoLoginSchema, ok: { status: 200, description: 'Signed in', schema: SsoCommenter.extend({ commenterToken: z.string(), claimable: z.object({ comments: z.number().int() }).optional().meta({ description: 'Earlier anonymous comments the reader may carry over' }) }) }, errors: [400, 401, 404, 429] },
  { method: 'post', path: '/sso/claim', tag: 'Sign-in', summary: 'Carry a reader’s earlier anonymous comments over to their account', description: 'Authorization: the signed-in reader’s commenter token; body: their earlier anonymous token, which proves the comments are theirs. Their comments on the account’s site move to the account and show its current name, website and badge (live, to every reader of those threads), with their likes and poll votes there. The anonymous identity is then erased on that site and its token stops working (unless it also wrote on another site), so the proof works once. 403 `claim_refused` when the token proves no anonymous reader or nothing more on this site (already carried over); 403 `not_signed_in` when the Authorization token is not a signed-in reader’s.', auth: 'required', body: SsoClaimSchema, ok: { status: 200, description: 'How many comments now show under the account', schema: z.object({ claimed: z.object({ comments: z.number().int() }) }) }, errors: [400, 401, 403, 429] },
  { method: 'post', path: '/sso/codes', tag: 'Sign-in', summary: 'Exchange: hand over a reader’s claims, get a 60-second single-use code for the page', description: 'For the publisher’s server, with the site’s `sk_` key: the page then carries only the code, never the reader’s email. At most 600 codes a minute per network (429 with Retry-After).', auth: 'key', body: ReaderClaimsSchema, ok: { status: 201, description: 'The code', schema: SsoCodeReplySchema }, errors: [400, 401, 429] },
  { method: 'get', path: '/sso/users/:sub/export', tag: 'Sign-in', summary: 'Everything Parley holds about one of your readers, as /me/export', auth: 'key', params: user, ok: { status: 200, description: 'The export', schema: document('export', 'Everything held about the reader') }, errors: [400, 401, 404] },
  { method: 'patch', path: '/sso/users/:sub', tag: 'Sign-in', summary: 'Change a reader’s name, email, website or badge', description: 'Until their next sign-in, whose token brings the account’s values again.', auth: 'key', params: user, body: SsoUserPatchSchema, ok: { status: 200, description: 'The reader', schema: SsoCommenter }, errors: [400, 401, 404] },
  { method: 'delete', path: '/sso/users/:sub', tag: 'Sign-in', summary: 'Erase a reader, as DELETE /me: nothing of them remains', description: 'Comments become tombstones without author; the account link, every device’s token and any pending code go; their live connections are cut.', auth: 'key', params: user, ok: { status: 200, description: 'What was erased, as counts', schema: document('erasure', 'Counts of what was erased') }, errors: [400, 401, 404] },
  { method: 'post', path: '/sso/users/:sub/logout', tag: 'Sign-in', summary: 'Log a reader out everywhere', description: 'Every commenter token of the account is revoked and its live connections cut, on every instance. Their comments stay.', auth: 'key', params: user, ok: { status: 200, description: 'How many tokens were revoked', schema: z.object({ revokedTokens: z.number().int() }) }, errors: [400, 401, 404] },
  { method: 'get', path: '/sites/:siteId/sso/keys', tag: 'Administration', summary: 'A site’s sign-in keys, with their last use (admins)', auth: 'staff', params: site, ok: { status: 200, description: 'Keys, newest first (never a secret)', schema: z.object({ items: z.array(SsoKeyViewSchema) }) }, errors: [400, 401, 403, 404] },
  { method: 'post', path: '/sites/:siteId/sso/keys', tag: 'Administration', summary: 'Add a sign-in key: a generated HS256 secret (shown once), a public key, or a JWKS URL (admins)', description: 'A key verifies only the algorithm it is registered for. JWKS URLs must be https and must not resolve to an internal address.', auth: 'staff', params: site, body: CreateSsoKeySchema, ok: { status: 201, description: 'The key, and the secret for HS256', schema: z.object({ key: SsoKeyViewSchema, secret: z.string().optional() }) }, errors: [400, 401, 403, 404, 409] },
  { method: 'delete', path: '/sites/:siteId/sso/keys/:keyId', tag: 'Administration', summary: 'Retire a sign-in key: tokens signed with it are refused at once (admins)', auth: 'staff', params: { ...site, keyId: SsoKeyIdParam }, ok: { status: 200, description: 'The retired key', schema: z.object({ key: SsoKeyViewSchema }) }, errors: [400, 401, 403, 404] },
];
