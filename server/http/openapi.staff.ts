import { z } from 'zod';
import { CommentIdParam } from '../comments/comment.schema';
import { AddSiteMemberSchema, ChangePasswordSchema, LoginSchema, MemberIdParam, SetPasswordSchema } from '../members/member.schema';
import {
  BanIdParam,
  BanListQuery,
  BulkDecisionSchema,
  CreateBanSchema,
  DecisionSchema,
  LogQuery,
  MemberPostSchema,
  QueueListQuery,
  QueuesQuery,
} from '../moderation/moderation.schema';
import { RequestIdParam } from '../privacy/privacy.schema';
import { PrivacyRequestsQuery } from '../privacy/requests.admin.routes';
import { CreatePollSchema, PollIdParam, PollReplySchema, UpdatePollSchema } from '../polls/poll.schema';
import { CreateKeySchema, KeyIdParam, UpdateSiteSchema } from '../sites/site.admin.schema';
import { CreateSiteSchema, SiteIdSchema } from '../sites/site.schema';
import { UpdateThreadSchema } from '../threads/thread.admin.service';
import { ThreadListQuery } from '../threads/thread.list';
import { ThreadIdParam, ThreadReplySchema } from '../threads/thread.schema';
import type { OperationDoc } from './openapi.operation';

/**
 * The moderation and administration API, for members (session cookie + X-CSRF-Token on writes) and
 * site API keys (`Authorization: Bearer sk_…`). Responses are described as open objects; their
 * fields are listed in the README.
 */
const open = (name: string, description: string) => z.object({ [name]: z.unknown().meta({ description }) });
const site = { siteId: SiteIdSchema };
const staff = 'staff' as const;
const W = [400, 401, 403, 404];

export const STAFF_OPERATIONS: OperationDoc[] = [
  { method: 'post', path: '/auth/login', tag: 'Members', summary: 'Sign in; sets the session cookie', description: 'Answers `{member, sites, csrfToken}`. Throttled per account and per network; unknown accounts get the same answer as wrong passwords.', auth: 'none', body: LoginSchema, ok: { status: 200, description: 'Signed in', schema: open('member', 'The member, with sites and csrfToken beside it') }, errors: [400, 401, 429] },
  { method: 'get', path: '/auth/me', tag: 'Members', summary: 'The signed-in member, their sites and roles, and the CSRF token', auth: staff, ok: { status: 200, description: 'The member', schema: open('member', 'The member') }, errors: [401] },
  { method: 'post', path: '/auth/logout', tag: 'Members', summary: 'Sign out: ends the session', auth: staff, ok: { status: 200, description: 'Signed out', schema: z.object({}) }, errors: [401, 403] },
  { method: 'post', path: '/auth/set-password', tag: 'Members', summary: 'Set a new member’s first password with their one-time link', description: 'The token is the part after `#set-password=` in the link an admin received. 410 `link_expired` when it is unknown, used or expired.', auth: 'none', body: SetPasswordSchema, ok: { status: 200, description: 'Set: sign in with it', schema: z.object({}) }, errors: [400, 410] },
  { method: 'post', path: '/auth/password', tag: 'Members', summary: 'Change your password; ends your other sessions', auth: staff, body: ChangePasswordSchema, ok: { status: 200, description: 'Changed', schema: z.object({}) }, errors: [400, 401, 403, 429] },
  { method: 'get', path: '/moderation/queues', tag: 'Moderation', summary: 'Counts of the pending, flagged, spam and rejected queues', auth: staff, query: QueuesQuery, ok: { status: 200, description: 'Counts', schema: open('counts', '{pending, flagged, spam, rejected}') }, errors: [400, 401, 404] },
  { method: 'get', path: '/moderation/comments', tag: 'Moderation', summary: 'Queue items with their context', description: 'Each with the comment, thread, parent, flags, and the commenter’s email, ban and record on the site.', auth: staff, query: QueueListQuery, ok: { status: 200, description: 'A page', schema: open('items', 'Queue items') }, errors: [400, 401, 404] },
  { method: 'get', path: '/moderation/comments/:id', tag: 'Moderation', summary: 'One comment with its moderation context', auth: staff, params: { id: CommentIdParam }, ok: { status: 200, description: 'The item', schema: open('item', 'The comment in context') }, errors: [400, 401, 404] },
  { method: 'post', path: '/moderation/comments/:id/decision', tag: 'Moderation', summary: 'Approve, reject, mark as spam, restore, feature or unfeature', description: 'A decision on a comment another moderator has just decided is a 409.', auth: staff, params: { id: CommentIdParam }, body: DecisionSchema, ok: { status: 200, description: 'The comment after the decision', schema: open('comment', 'The comment') }, errors: [...W, 409] },
  { method: 'post', path: '/moderation/decisions', tag: 'Moderation', summary: 'Decide many comments at once, one result per id', auth: staff, body: BulkDecisionSchema, ok: { status: 200, description: 'Results', schema: open('results', '[{id, ok, comment} | {id, ok: false, error}]') }, errors: [400, 401, 403] },
  { method: 'post', path: '/moderation/bans', tag: 'Moderation', summary: 'Ban a commenter, or the network of one of their comments', auth: staff, body: CreateBanSchema, ok: { status: 201, description: 'The ban', schema: open('ban', 'The ban') }, errors: [...W, 409] },
  { method: 'get', path: '/moderation/bans', tag: 'Moderation', summary: 'A site’s bans', auth: staff, query: BanListQuery, ok: { status: 200, description: 'Bans', schema: open('items', 'Bans') }, errors: [400, 401, 404] },
  { method: 'delete', path: '/moderation/bans/:id', tag: 'Moderation', summary: 'Lift a ban', auth: staff, params: { id: BanIdParam }, ok: { status: 200, description: 'The lifted ban', schema: open('ban', 'The ban') }, errors: W },
  { method: 'get', path: '/moderation/log', tag: 'Moderation', summary: 'The audit log: who did what to which comment, when and why', auth: staff, query: LogQuery, ok: { status: 200, description: 'Entries', schema: open('items', 'Log entries') }, errors: [400, 401, 404] },
  { method: 'get', path: '/moderation/privacy-requests', tag: 'Privacy', summary: 'Lost-token requests waiting for the site’s admins (admins only)', description: 'Pending export and erasure requests from commenters who lost their token, when no mail transport is configured; each with how many identities the address matches now.', auth: staff, query: PrivacyRequestsQuery, ok: { status: 200, description: 'Pending requests', schema: open('items', '[{id, kind, channel, status, email, createdAt, identities}]') }, errors: [400, 401, 403, 404] },
  { method: 'post', path: '/moderation/privacy-requests/:id/complete', tag: 'Privacy', summary: 'Carry out a lost-token request in one click (admins only)', description: 'An export answers `{request, document}` (the document to hand to the requester); an erasure answers `{request}`. The request then keeps only that it was done, by whom, when and counts; the audit log records the same.', auth: staff, params: { id: RequestIdParam }, ok: { status: 200, description: 'Done', schema: open('request', 'The request, done, without the address') }, errors: [...W, 409] },
  { method: 'post', path: '/moderation/threads/:threadId/comments', tag: 'Moderation', summary: 'Post or answer a reader as a member, with the role as a badge', auth: staff, params: { threadId: ThreadIdParam }, body: MemberPostSchema, ok: { status: 201, description: 'The comment, approved', schema: open('comment', 'The comment') }, errors: W },
  { method: 'get', path: '/moderation/threads', tag: 'Administration', summary: 'A site’s threads, newest first, with their polls (members who may post, API keys)', auth: staff, query: ThreadListQuery, ok: { status: 200, description: 'A page', schema: open('items', 'Threads') }, errors: [400, 401, 403, 404] },
  { method: 'patch', path: '/threads/:threadId', tag: 'Administration', summary: 'Close or reopen commenting; set the thread’s moderation mode or slow mode', description: '`slowModeSeconds` (0–3600; 0 or null: off) lets each reader post at most once every so many seconds; a post too early is refused with 429 `slow_mode` and `Retry-After`. Staff and API keys are not held by it. Readers see every change live (`thread:updated`).', auth: staff, params: { threadId: ThreadIdParam }, body: UpdateThreadSchema, ok: { status: 200, description: 'The thread', schema: ThreadReplySchema }, errors: W },
  { method: 'post', path: '/threads/:threadId/polls', tag: 'Administration', summary: 'Attach a poll to a thread (journalists, moderators, admins, API keys)', auth: staff, params: { threadId: ThreadIdParam }, body: CreatePollSchema, ok: { status: 201, description: 'The poll', schema: PollReplySchema }, errors: W },
  { method: 'patch', path: '/polls/:pollId', tag: 'Administration', summary: 'Edit, close or reopen a poll', auth: staff, params: { pollId: PollIdParam }, body: UpdatePollSchema, ok: { status: 200, description: 'The poll', schema: PollReplySchema }, errors: W },
  { method: 'post', path: '/sites', tag: 'Administration', summary: 'Create a site', auth: staff, body: CreateSiteSchema, ok: { status: 201, description: 'The site', schema: open('site', 'The site') }, errors: [...W, 409] },
  { method: 'get', path: '/sites/:siteId', tag: 'Administration', summary: 'A site with its settings and origins', auth: staff, params: site, ok: { status: 200, description: 'The site', schema: open('site', 'The site') }, errors: [400, 401, 404] },
  { method: 'patch', path: '/sites/:siteId', tag: 'Administration', summary: 'Change a site’s name, origins or settings', auth: staff, params: site, body: UpdateSiteSchema, ok: { status: 200, description: 'The site', schema: open('site', 'The site') }, errors: W },
  { method: 'get', path: '/sites/:siteId/keys', tag: 'Administration', summary: 'A site’s API keys (never their secrets)', auth: staff, params: site, ok: { status: 200, description: 'Keys', schema: open('items', 'Keys') }, errors: [400, 401, 403, 404] },
  { method: 'post', path: '/sites/:siteId/keys', tag: 'Administration', summary: 'Create an API key; its secret is shown once', auth: staff, params: site, body: CreateKeySchema, ok: { status: 201, description: 'The key and its secret', schema: open('key', 'The key') }, errors: W },
  { method: 'delete', path: '/sites/:siteId/keys/:keyId', tag: 'Administration', summary: 'Revoke an API key', auth: staff, params: { ...site, keyId: KeyIdParam }, ok: { status: 200, description: 'Revoked', schema: open('key', 'The key') }, errors: W },
  { method: 'get', path: '/sites/:siteId/members', tag: 'Administration', summary: 'A site’s members and roles', auth: staff, params: site, ok: { status: 200, description: 'Members', schema: open('items', 'Members') }, errors: [400, 401, 403, 404] },
  { method: 'post', path: '/sites/:siteId/members', tag: 'Administration', summary: 'Add a member to a site, or change their role', description: 'Answers `{member: {id, email, role}, setPasswordUrl, expiresAt}` whether or not the email already had an account: pass the one-time link on; a new account sets its first password with it, an existing one signs in as before.', auth: staff, params: site, body: AddSiteMemberSchema, ok: { status: 201, description: 'The member and a one-time set-password link', schema: open('member', 'The member') }, errors: [...W, 409] },
  { method: 'delete', path: '/sites/:siteId/members/:memberId', tag: 'Administration', summary: 'Remove a member from a site', auth: staff, params: { ...site, memberId: MemberIdParam }, ok: { status: 200, description: 'Removed', schema: z.object({}) }, errors: W },
];
