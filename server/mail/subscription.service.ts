import type { MailAddress } from '../../db/schema';
import { inTransaction, type UnitOfWork } from '../db';
import { AppError, errors } from '../errors';
import { hashSecret, newSecret } from '../ids';
export type { MailDeps } from './mail.deps';
import type { MailDeps } from './mail.deps';
import { stopModeratorMail } from './moderator.service';
import * as repo from './mail.repo';
import { confirmMail, type MailLang } from './mail.texts';
import { isModeratorScope, readToken, type UnsubscribeScope, unsubscribeToken } from './unsubscribe-token';


export const CONFIRM_TTL_MS = 24 * 60 * 60_000;
export const UNSUBSCRIBE_PATH = '/api/v1/mail/unsubscribe';
export const CONFIRM_PATH = '/api/v1/mail/confirm';

/** The List-Unsubscribe pair of a mail to `address`, for one scope. */
export function unsubscribeLinks(deps: Pick<MailDeps, 'publicUrl' | 'mailer'>, address: MailAddress, scope: UnsubscribeScope, target: string | null) {
  const token = unsubscribeToken(address.secret, { addressId: address.id, scope, target });
  return {
    url: `${deps.publicUrl}${UNSUBSCRIBE_PATH}?token=${token}`,
    mailto: `mailto:unsubscribe@${deps.mailer?.domain ?? 'parley.invalid'}?subject=unsubscribe%20${token}`,
  };
}

export interface SubscribeInput {
  site: { id: string; name: string };
  commenterId: string;
  email: string;
  lang: MailLang;
  threadId: string;
  /** The comment whose replies are wanted; null: the whole thread. */
  commentId: string | null;
  /** The address was verified by the site's own accounts (SSO `email_verified`): no confirmation. */
  verified?: boolean;
}

/**
 * Subscribes inside the caller's transaction. The first use of an address on a site sends only a
 * confirmation (at most one per address per 24 h); nothing else goes to it until it is confirmed.
 */
export async function subscribeIn(deps: MailDeps, uow: UnitOfWork, input: SubscribeInput) {
  if (!deps.mailer) throw mailUnavailable();
  const now = deps.clock.now();
  let address = await repo.ensureAddress(uow.trx, { siteId: input.site.id, email: input.email, commenterId: input.commenterId, lang: input.lang, now });
  // Asking again is a new, explicit wish: a stop from everything ends here.
  if (address.stopped_at) await uow.trx.updateTable('mail_addresses').set({ stopped_at: null }).where('id', '=', address.id).execute();
  // The publisher vouched for this address (SSO `email_verified`), and it is the one it vouched for.
  const vouched = await uow.trx.selectFrom('commenters').select(['email', 'email_verified']).where('id', '=', input.commenterId).executeTakeFirst();
  const verified = input.verified || (!!vouched?.email_verified && vouched.email?.toLowerCase() === input.email.toLowerCase());
  if (verified && !address.confirmed_at) {
    await uow.trx.updateTable('mail_addresses').set({ confirmed_at: now }).where('id', '=', address.id).execute();
    address = { ...address, confirmed_at: now };
  }
  const subscription = await repo.subscribe(uow.trx, { address, commenterId: input.commenterId, threadId: input.threadId, commentId: input.commentId, now });
  const sentRecently = address.confirm_sent_at && now.getTime() - address.confirm_sent_at.getTime() < CONFIRM_TTL_MS;
  if (!address.confirmed_at && !sentRecently) {
    const token = newSecret('mc');
    await repo.setConfirmation(uow.trx, address.id, hashSecret(token), now);
    const mail = confirmMail(address.lang, input.site.name, `${deps.publicUrl}${CONFIRM_PATH}?token=${token}`, unsubscribeLinks(deps, address, 's', null).url);
    await deps.outbox.enqueue(uow, {
      kind: 'mail',
      siteId: input.site.id,
      commenterId: input.commenterId,
      payload: { to: address.email, ...mail, unsubscribe: unsubscribeLinks(deps, address, 's', null) },
    });
  }
  return { subscription, confirmed: address.confirmed_at !== null };
}

export async function subscribe(deps: MailDeps, input: SubscribeInput) {
  return inTransaction(deps, (uow) => subscribeIn(deps, uow, input));
}

function mailUnavailable(): AppError {
  return new AppError('conflict', 'mail_unavailable', 'This server sends no email, so it cannot notify you.');
}

function linkGone(): AppError {
  return new AppError('gone', 'link_expired', 'This link has expired or was already used. Subscribe again to get a new one.');
}

/** The address behind a confirmation link still valid (for the page that shows its button). */
export async function findConfirmation(deps: MailDeps, token: string) {
  const address = await repo.addressByConfirmToken(deps.db, hashSecret(token), new Date(deps.clock.now().getTime() - CONFIRM_TTL_MS));
  if (!address) throw linkGone();
  return address;
}

export async function confirm(deps: MailDeps, token: string): Promise<MailAddress> {
  const now = deps.clock.now();
  const address = await inTransaction(deps, ({ trx }) => repo.confirmByToken(trx, hashSecret(token), new Date(now.getTime() - CONFIRM_TTL_MS), now));
  if (!address) throw linkGone();
  return address;
}

/** The address and scope an unsubscribe token names, checked against the address's secret. */
export async function readUnsubscribe(deps: Pick<MailDeps, 'db'>, token: string) {
  const claim = readToken(token);
  if (!claim) throw errors.validation('This is not an unsubscribe link.', [{ path: 'token', message: 'is not an unsubscribe token' }]);
  const address = await repo.findAddress(deps.db, claim.addressId);
  // An erased address: nothing is sent to it any more, so the link has done its job.
  if (!address || !claim.check(address.secret)) return { claim, address: null };
  return { claim, address };
}

/** One request, no sign-in: this comment's replies, this thread, or everything from this site. */
export async function unsubscribe(deps: MailDeps, token: string) {
  const claim = readToken(token);
  if (claim && isModeratorScope(claim.scope)) {
    const prefs = await deps.db.selectFrom('mail_moderator_prefs').selectAll().where('id', '=', claim.addressId).executeTakeFirst();
    if (prefs && claim.check(prefs.secret)) await stopModeratorMail(deps, prefs, claim.scope);
    return { scope: claim.scope, address: null, removed: prefs ? 1 : 0 };
  }
  const { claim: read, address } = await readUnsubscribe(deps, token);
  if (!address) return { scope: read.scope, address: null, removed: 0 };
  const now = deps.clock.now();
  const removed = await inTransaction(deps, async ({ trx }) => {
    if (read.scope === 's') {
      await repo.stopAddress(trx, address.id, now);
      return 1;
    }
    const where = read.scope === 'c' ? { addressId: address.id, commentId: read.target! } : { addressId: address.id, threadId: read.target! };
    return repo.deleteSubscriptions(trx, where);
  });
  return { scope: read.scope, address, removed };
}

/**
 * The checkbox under the form: replies to this comment, or the whole thread, at the form's email
 * (or the profile's). Without a mail transport or an email there is nothing to subscribe.
 */
export async function subscribeWhenPosting(
  deps: MailDeps,
  uow: UnitOfWork,
  input: { notify?: 'replies' | 'thread'; lang?: MailLang; email?: string | null },
  posted: { comment: { id: string; thread_id: string; commenter_id: string | null }; site: { id: string; name: string; settings: { locale: MailLang } } },
  profileEmail: string | null,
): Promise<{ scope: 'comment' | 'thread'; confirmed: boolean } | undefined> {
  const email = input.email || profileEmail;
  if (!input.notify || !deps.mailer || !email || !posted.comment.commenter_id) return undefined;
  const { subscription, confirmed } = await subscribeIn(deps, uow, {
    site: posted.site,
    commenterId: posted.comment.commenter_id,
    email,
    lang: input.lang ?? posted.site.settings.locale,
    threadId: posted.comment.thread_id,
    commentId: input.notify === 'replies' ? posted.comment.id : null,
  });
  return { scope: subscription.scope, confirmed };
}
