import { z } from 'zod';
import type { OperationDoc } from './openapi.operation';
import { SiteIdSchema } from '../sites/site.schema';
import {
  ConfirmTokenQuery,
  ModeratorPrefsSchema,
  ModeratorPrefsViewSchema,
  MailResultSchema,
  SubscribedSchema,
  SubscribeSchema,
  SubscriptionIdParam,
  SubscriptionListSchema,
  UnsubscribeTokenQuery,
} from '../mail/mail.schema';

/** Readers' mail (SPEC §10): subscriptions in "Your data", and the links mails carry. */
const PAGES = 'With `Accept: text/html` it answers a small page that works without script; otherwise JSON.';

export const MAIL_OPERATIONS: OperationDoc[] = [
  { method: 'get', path: '/me/subscriptions', tag: 'Your data', summary: 'Your mail subscriptions, with whether each address is confirmed', auth: 'required', ok: { status: 200, description: 'Subscriptions, oldest first', schema: SubscriptionListSchema }, errors: [401] },
  { method: 'post', path: '/me/subscriptions', tag: 'Your data', summary: 'Be told by mail of replies to one of your comments, or of every new comment in a thread', description: 'The first use of an address on a site sends only a confirmation (valid 24 h, at most one a day); nothing else is sent to it before it is confirmed. 409 `mail_unavailable` when the server sends no mail.', auth: 'required', body: SubscribeSchema, ok: { status: 201, description: 'The subscription', schema: SubscribedSchema }, errors: [400, 401, 404, 409] },
  { method: 'delete', path: '/me/subscriptions/:subscriptionId', tag: 'Your data', summary: 'Stop one subscription', auth: 'required', params: { subscriptionId: SubscriptionIdParam }, ok: { status: 204, description: 'Stopped', schema: z.null() }, errors: [400, 401, 404] },
  { method: 'get', path: '/mail/confirm', tag: 'Mail', summary: 'The page of a confirmation link: shows a button, changes nothing (mail scanners follow links)', description: PAGES, auth: 'none', query: ConfirmTokenQuery, ok: { status: 200, description: 'The link is valid', schema: MailResultSchema }, errors: [400, 410] },
  { method: 'post', path: '/mail/confirm', tag: 'Mail', summary: 'Confirm an address from the link mailed to it', description: PAGES, auth: 'none', query: ConfirmTokenQuery, ok: { status: 200, description: 'Confirmed', schema: MailResultSchema }, errors: [400, 410] },
  { method: 'get', path: '/mail/unsubscribe', tag: 'Mail', summary: 'The page of an unsubscribe link: says what it stops, with a button', description: PAGES, auth: 'none', query: UnsubscribeTokenQuery, ok: { status: 200, description: 'What the link stops', schema: MailResultSchema }, errors: [400] },
  { method: 'post', path: '/mail/unsubscribe', tag: 'Mail', summary: 'Unsubscribe in one request, without signing in (RFC 8058 one-click)', description: `The \`List-Unsubscribe\` URL of every mail. Takes a form body (\`application/x-www-form-urlencoded\` or \`multipart/form-data\`, as mail providers send \`List-Unsubscribe=One-Click\`) or none; the signed token in the URL says the scope: that comment's replies, that thread, or everything from the site. ${PAGES}`, auth: 'none', query: UnsubscribeTokenQuery, ok: { status: 200, description: 'Unsubscribed', schema: MailResultSchema }, errors: [400, 415] },
  { method: 'get', path: '/sites/:siteId/notifications', tag: 'Administration', summary: 'Your own mail choices as a moderator of this site', auth: 'staff', params: { siteId: SiteIdSchema }, ok: { status: 200, description: 'Your choices (off until set)', schema: ModeratorPrefsViewSchema }, errors: [400, 401, 403, 404] },
  { method: 'put', path: '/sites/:siteId/notifications', tag: 'Administration', summary: 'Choose your moderator mails for this site: flagged comments at once, a daily digest of the pending queue at a local hour', description: 'Members with moderation rights only (not API keys). The digest goes at `digestHour` in `timeZone` (IANA), and is skipped when the queue is empty. Every mail links into `/moderate` and has its own one-click unsubscribe. 409 `mail_unavailable` when the server sends no mail.', auth: 'staff', params: { siteId: SiteIdSchema }, body: ModeratorPrefsSchema, ok: { status: 200, description: 'Your choices', schema: ModeratorPrefsViewSchema }, errors: [400, 401, 403, 404, 409] },
];
