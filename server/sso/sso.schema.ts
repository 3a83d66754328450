import { z } from 'zod';
import { CreateCommentSchema } from '../comments/comment.schema';
import { HttpUrlSchema } from '../threads/thread.schema';
import { WebsiteSchema } from '../website';

export const SsoModeSchema = z.enum(['off', 'optional', 'required']);
export type SsoMode = z.infer<typeof SsoModeSchema>;

const fields = {
  mode: SsoModeSchema.meta({ description: '`off`, `optional` (signed-in and anonymous readers side by side) or `required` (anonymous readers read but cannot post or vote)' }),
  issuer: z.string().trim().min(1).max(300).nullable().meta({ description: 'Checked against the token’s `iss` when set' }),
  loginUrl: HttpUrlSchema.max(1000).nullable().meta({ description: 'Your sign-in page; the widget adds `returnTo=<article URL>`' }),
  logoutUrl: HttpUrlSchema.max(1000).nullable().meta({ description: 'Your sign-out page; the widget adds `returnTo=<article URL>`' }),
  tokenMaxAge: z.number().int().min(30).max(86_400).meta({ description: 'Longest token lifetime accepted (`exp` − `iat`), in seconds' }),
};

/** The site setting `sso` (SPEC §9); every field has a default, so `{}` is complete. */
export const SsoSettingsSchema = z.object({
  mode: fields.mode.default('off'),
  issuer: fields.issuer.default(null),
  loginUrl: fields.loginUrl.default(null),
  logoutUrl: fields.logoutUrl.default(null),
  tokenMaxAge: fields.tokenMaxAge.default(600),
});
export type SsoSettings = z.infer<typeof SsoSettingsSchema>;

/** A PATCH of the setting: only the fields sent change; a misspelt one is refused. */
export const SsoSettingsPatchSchema = z.strictObject({
  mode: fields.mode.optional(),
  issuer: fields.issuer.optional(),
  loginUrl: fields.loginUrl.optional(),
  logoutUrl: fields.logoutUrl.optional(),
  tokenMaxAge: fields.tokenMaxAge.optional(),
});

/** Shown like a staff badge, so plain short text only: no markup characters, no control characters. */
const BadgeSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .refine((v) => !/[<>&"'`\u0000-\u001f\u007f-\u009f]/.test(v), 'must be plain text (no markup characters)');

/** Who the reader is, as the publisher says: the claims of a token, or the body of an exchange code. */
export const ReaderClaimsSchema = z.object({
  sub: z.string().min(1).max(255).meta({ description: 'Your stable user id' }),
  name: CreateCommentSchema.shape.name,
  email: z.email('must be an email address').max(254).nullish().meta({ description: 'Never published' }),
  email_verified: z.boolean().optional().meta({ description: 'true: you checked this email; Parley then skips its own mail confirmation for it' }),
  website: WebsiteSchema.nullish(),
  badge: BadgeSchema.nullish().meta({ description: 'Up to 32 characters of plain text, e.g. "Subscriber"; shown beside the name, never a staff role' }),
});
export type ReaderClaims = z.infer<typeof ReaderClaimsSchema>;

/** The registered claims a token must carry besides the reader's (signature, audience and expiry are checked by jose). */
export const TokenClaimsSchema = ReaderClaimsSchema.extend({
  jti: z.string().min(1).max(255),
  iat: z.number().finite(),
  exp: z.number().finite(),
});

export const SsoLoginSchema = z
  .strictObject({
    site: z.string().min(1).max(63),
    token: z.string().min(1).max(8_000).optional().meta({ description: 'A compact JWS signed by the publisher' }),
    code: z.string().min(1).max(200).optional().meta({ description: 'An exchange code from `POST /sso/codes`' }),
  })
  .refine((v) => (v.token === undefined) !== (v.code === undefined), 'send either token or code');
export type SsoLoginInput = z.infer<typeof SsoLoginSchema>;

/** Carrying earlier anonymous comments over: the anonymous commenter token proves they are the reader's. */
export const SsoClaimSchema = z.strictObject({
  commenterToken: z.string().min(1).max(100).meta({ description: 'The reader’s earlier anonymous `ct_…` token' }),
});

export const SsoCodeReplySchema = z.object({ code: z.string(), expiresAt: z.iso.datetime() });

export const SsoAlgSchema = z.enum(['HS256', 'RS256', 'ES256', 'EdDSA']);
const KidSchema = z.string().trim().min(1).max(100).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const CreateSsoKeySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('secret'), kid: KidSchema.optional().meta({ description: 'Generated when omitted' }) }),
  z.strictObject({
    kind: z.literal('public'),
    alg: z.enum(['RS256', 'ES256', 'EdDSA']),
    kid: KidSchema.optional().meta({ description: 'Taken from the JWK when omitted' }),
    jwk: z.record(z.string(), z.unknown()).optional().meta({ description: 'The public key as a JWK' }),
    pem: z.string().max(10_000).optional().meta({ description: 'The public key as PEM (SPKI)' }),
  }),
  z.strictObject({
    kind: z.literal('jwks'),
    alg: z.enum(['RS256', 'ES256', 'EdDSA']),
    url: z.url().max(2000).meta({ description: 'Your JWKS address (https)' }),
  }),
]);
export type CreateSsoKeyInput = z.infer<typeof CreateSsoKeySchema>;

export const SsoKeyIdParam = z.string().regex(/^[0-9a-z]{16}$/, 'is not a key id');
export const SsoSubParam = ReaderClaimsSchema.shape.sub;

export const SsoKeyViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['secret', 'public', 'jwks']),
  kid: z.string().nullable(),
  alg: SsoAlgSchema,
  jwksUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  retiredAt: z.iso.datetime().nullable(),
});

export const SsoUserPatchSchema = ReaderClaimsSchema.omit({ sub: true })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one of name, email, email_verified, website, badge');
