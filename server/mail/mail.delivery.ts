/**
 * Readers' mail through the outbox: what a change writes (bus.within, in its transaction) and what
 * the worker sends. Reply mails are batched: the first new reply for an address in a thread writes
 * one row due at the end of the site's window (`replyBatchMinutes`); later replies find that row
 * (its dedupe key) and add nothing; at delivery the mail lists every reply since the last one.
 */
import type { Logger } from 'pino';
import type { OutboxJob } from '../outbox/outbox';
import { getSite } from '../sites/site.service';
import type { Mailer, MailMessage } from './mailer';
import * as repo from './mail.repo';
import { approvedMail, excerpt, type ReplyItem, repliesMail } from './mail.texts';
import { type MailDeps, unsubscribeLinks } from './subscription.service';

/** The Message-ID of an outbox row: the same for every try of it. */
export const messageIdOf = (job: OutboxJob, mailer: Mailer) => `<${job.uid}@${mailer.domain}>`;

export function registerMail(deps: MailDeps & { log: Logger }): void {
  const { outbox, mailer } = deps;
  if (!mailer) return;

  // A mail rendered when it was written (confirmations, lost-token links).
  outbox.handle<MailMessage>('mail', async (job) => {
    await mailer.send({ ...job.payload, messageId: messageIdOf(job, mailer) });
  });

  outbox.handle<{ addressId: string; threadId: string }>('mail.replies', async (job) => {
    const { addressId, threadId } = job.payload;
    const address = await repo.findAddress(deps.db, addressId);
    if (!address?.confirmed_at || address.stopped_at) return;
    const subs = await deps.db.selectFrom('mail_subscriptions').selectAll().where('address_id', '=', addressId).where('thread_id', '=', threadId).execute();
    if (subs.length === 0) return;
    const own = [...new Set(subs.map((s) => s.commenter_id))];
    const since = new Date(Math.min(...subs.map((s) => s.notified_until.getTime())));
    const wholeThread = subs.some((s) => s.scope === 'thread');
    const answered = subs.filter((s) => s.comment_id).map((s) => s.comment_id!);
    const comments = await deps.db
      .selectFrom('comments')
      .select(['id', 'author_name', 'body_src', 'created_at', 'commenter_id'])
      .where('thread_id', '=', threadId)
      .where('status', '=', 'approved')
      .where('created_at', '>', since)
      .where((eb) => eb.or([eb('commenter_id', 'is', null), eb('commenter_id', 'not in', own)]))
      .$if(!wholeThread, (q) => q.where((eb) => eb.or([eb('parent_id', 'in', answered), eb('reply_to_id', 'in', answered)])))
      .orderBy('created_at')
      .limit(50)
      .execute();
    if (comments.length === 0) return;
    const thread = (await deps.db.selectFrom('threads').select(['title', 'url', 'key']).where('id', '=', threadId).executeTakeFirst())!;
    const site = await getSite(deps.db, address.site_id);
    const items: ReplyItem[] = comments.map((c) => ({ author: c.author_name ?? '', excerpt: excerpt(c.body_src), link: permalink(deps.publicUrl, thread.url, c.id) }));
    // A thread subscription's mail unsubscribes from the thread; replies to one comment, from that comment.
    const scope = wholeThread ? ('t' as const) : ('c' as const);
    const links = unsubscribeLinks(deps, address, scope, wholeThread ? threadId : answered[0]!);
    const mail = repliesMail(address.lang, site.name, thread.title ?? thread.key, items, links.url);
    await mailer.send({ to: address.email, ...mail, unsubscribe: links, messageId: messageIdOf(job, mailer) });
    const last = comments[comments.length - 1]!.created_at;
    await deps.db.updateTable('mail_subscriptions').set({ notified_until: last }).where('address_id', '=', addressId).where('thread_id', '=', threadId).execute();
  });

  outbox.handle<{ addressId: string; commentId: string }>('mail.approved', async (job) => {
    const address = await repo.findAddress(deps.db, job.payload.addressId);
    if (!address?.confirmed_at || address.stopped_at) return;
    const comment = await deps.db.selectFrom('comments').select(['id', 'thread_id', 'body_src', 'status']).where('id', '=', job.payload.commentId).executeTakeFirst();
    if (!comment || comment.status !== 'approved') return;
    const thread = (await deps.db.selectFrom('threads').select(['title', 'url', 'key']).where('id', '=', comment.thread_id).executeTakeFirst())!;
    const site = await getSite(deps.db, address.site_id);
    const links = unsubscribeLinks(deps, address, 'c', comment.id);
    const item = { author: '', excerpt: excerpt(comment.body_src), link: permalink(deps.publicUrl, thread.url, comment.id) };
    const mail = approvedMail(address.lang, site.name, thread.title ?? thread.key, item, links.url);
    await mailer.send({ to: address.email, ...mail, unsubscribe: links, messageId: messageIdOf(job, mailer) });
  });

  // A comment became visible: its thread's and its parent's subscribers hear of it, and its author
  // too when it was held and they subscribed.
  deps.bus.within('comment.status', async (trx, e, context) => {
    if (e.to !== 'approved' || (e.from !== null && e.from !== 'pending')) return;
    // One `insert … select`, left for the end of the transaction: a post's batch sends it with its
    // commit, so telling subscribers costs the thread's lock no round trip. No wake-up either: the
    // rows come due at the end of the site's batching window, when the worker's poll finds them.
    context.last(repo.queueReplyMails({ siteId: e.siteId, threadId: e.threadId, answered: [e.parentId, e.replyToId], authorId: e.commenterId, now: deps.clock.now() }));
    if (e.from === 'pending' && e.commenterId) {
      const author = await repo.confirmedSubscriberOf(trx, e.commenterId, e.threadId);
      if (author) {
        await outbox.enqueue({ trx, afterCommit: context.afterCommit }, [
          { kind: 'mail.approved', siteId: e.siteId, commenterId: e.commenterId, payload: { addressId: author.id, commentId: e.commentId } },
        ]);
      }
    }
  });
}

/** A comment's place on the article (the widget opens `#comment-<id>`), or its API permalink. */
export function permalink(publicUrl: string, threadUrl: string | null, commentId: string): string {
  return threadUrl ? `${threadUrl.split('#')[0]}#comment-${commentId}` : `${publicUrl}/api/v1/comments/${commentId}`;
}
