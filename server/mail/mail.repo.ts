import { sql } from 'kysely';
import type { MailAddress, MailSubscription } from '../../db/schema';
import { type Executor, PREPARED, type SharedLast, type Tx } from '../db';
import { newId, randomBytes } from '../ids';
import { REPLY_BATCH_MINUTES } from '../sites/site.schema';

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The site's row for this address, created unconfirmed when new (the language of its first use). */
export async function ensureAddress(
  trx: Tx,
  input: { siteId: string; email: string; commenterId: string | null; lang: 'en' | 'fr'; now: Date },
): Promise<MailAddress> {
  const email = normaliseEmail(input.email);
  await trx
    .insertInto('mail_addresses')
    .values({
      id: newId(),
      site_id: input.siteId,
      email,
      commenter_id: input.commenterId,
      lang: input.lang,
      secret: randomBytes(24).toString('base64url'),
      created_at: input.now,
    })
    .onConflict((oc) => oc.columns(['site_id', 'email']).doNothing())
    .execute();
  // Locked: two subscriptions at once must not both send a confirmation.
  return trx.selectFrom('mail_addresses').selectAll().where('site_id', '=', input.siteId).where('email', '=', email).forUpdate().executeTakeFirstOrThrow();
}

export async function findAddress(db: Executor, id: string): Promise<MailAddress | undefined> {
  return db.selectFrom('mail_addresses').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setConfirmation(trx: Tx, id: string, tokenHash: string, now: Date): Promise<void> {
  await trx.updateTable('mail_addresses').set({ confirm_token_hash: tokenHash, confirm_sent_at: now }).where('id', '=', id).execute();
}

/** Confirms the address behind a token sent at or after `sentAfter`; undefined when none. */
export async function confirmByToken(trx: Tx, tokenHash: string, sentAfter: Date, now: Date): Promise<MailAddress | undefined> {
  return trx
    .updateTable('mail_addresses')
    .set({ confirmed_at: now, confirm_token_hash: null, stopped_at: null })
    .where('confirm_token_hash', '=', tokenHash)
    .where('confirm_sent_at', '>=', sentAfter)
    .returningAll()
    .executeTakeFirst();
}

export async function addressByConfirmToken(db: Executor, tokenHash: string, sentAfter: Date): Promise<MailAddress | undefined> {
  return db.selectFrom('mail_addresses').selectAll().where('confirm_token_hash', '=', tokenHash).where('confirm_sent_at', '>=', sentAfter).executeTakeFirst();
}

export async function stopAddress(trx: Tx, id: string, now: Date): Promise<void> {
  await trx.updateTable('mail_addresses').set({ stopped_at: now }).where('id', '=', id).execute();
  await trx.deleteFrom('mail_subscriptions').where('address_id', '=', id).execute();
}

export async function subscribe(
  trx: Tx,
  input: { address: MailAddress; commenterId: string; threadId: string; commentId: string | null; now: Date },
): Promise<MailSubscription> {
  const scope = input.commentId ? 'comment' : 'thread';
  await trx
    .insertInto('mail_subscriptions')
    .values({
      id: newId(),
      address_id: input.address.id,
      site_id: input.address.site_id,
      commenter_id: input.commenterId,
      thread_id: input.threadId,
      comment_id: input.commentId,
      scope,
      // The database's time, as comments' own times are: the replies mail lists comments after it.
      notified_until: sql<Date>`now()`,
      created_at: input.now,
    })
    .onConflict((oc) => oc.expression(sql`commenter_id, thread_id, coalesce(comment_id, '')`).doNothing())
    .execute();
  let query = trx.selectFrom('mail_subscriptions').selectAll().where('commenter_id', '=', input.commenterId).where('thread_id', '=', input.threadId);
  query = input.commentId ? query.where('comment_id', '=', input.commentId) : query.where('comment_id', 'is', null);
  return query.executeTakeFirstOrThrow();
}

export async function deleteSubscriptions(
  trx: Tx,
  where: { addressId?: string; commenterId?: string; id?: string; threadId?: string; commentId?: string; siteId?: string },
): Promise<number> {
  let query = trx.deleteFrom('mail_subscriptions');
  if (where.siteId) query = query.where('site_id', '=', where.siteId);
  if (where.id) query = query.where('id', '=', where.id);
  if (where.addressId) query = query.where('address_id', '=', where.addressId);
  if (where.commenterId) query = query.where('commenter_id', '=', where.commenterId);
  if (where.threadId) query = query.where('thread_id', '=', where.threadId);
  if (where.commentId) query = query.where('comment_id', '=', where.commentId);
  return (await query.returning('id').execute()).length;
}

/** A reader's subscriptions with the state of their address. */
export async function subscriptionsOf(db: Executor, commenterId: string, siteId?: string) {
  let query = db
    .selectFrom('mail_subscriptions as s')
    .innerJoin('mail_addresses as a', 'a.id', 's.address_id')
    .leftJoin('threads as t', 't.id', 's.thread_id')
    .select(['s.id', 's.site_id', 's.thread_id', 's.comment_id', 's.scope', 's.created_at', 'a.email', 'a.confirmed_at', 'a.lang', 't.title', 't.url'])
    .where('s.commenter_id', '=', commenterId);
  if (siteId) query = query.where('s.site_id', '=', siteId);
  return query.orderBy('s.created_at').execute();
}

/** A new visible comment, as the followers of its thread hear of it. */
export interface ReplyNews {
  siteId: string;
  threadId: string;
  /** The comments it answers (its parent, the reply it quotes). */
  answered: Array<string | null>;
  authorId: string | null;
  now: Date;
}

/**
 * The statement that queues reply mails for new visible comments of one thread (a post's batch
 * has several; it is left for the end of the transaction, shared by them: `SharedLast`): one row per
 * confirmed address subscribed to the thread, or to a comment one of them answers, unless every one
 * of them is its own; the row is due at the end of the site's batching window. An address whose
 * batch is still to be sent gets no second one: a row not yet tried has the dedupe key, and a row
 * whose send failed and waits for its retry is locked here until this transaction ends (no worker
 * claims it before these comments are visible), so its retry lists them too. Only a batch in flight
 * (leased) gets a successor, in the same lane, so the two never go side by side. Its parameters are
 * all text, so a post's batch can send it with its commit (transactionCommittingWith).
 */
export function queueReplyMails(news: ReplyNews): SharedLast<ReplyNews> {
  return { key: `reply-mails:${news.siteId}:${news.threadId}`, input: news, build: replyMailsStatement };
}

function replyMailsStatement(all: ReplyNews[]) {
  const { siteId, threadId } = all[0]!;
  const now = all[0]!.now.toISOString();
  const posts = JSON.stringify(all.map((n) => ({ author: n.authorId, answered: n.answered.filter((id): id is string => id !== null) })));
  // Prepared once per connection: a busy thread runs it on every batch.
  return sql`${PREPARED}
    with tell as (
      select distinct on (a.id) a.id as address_id, s.commenter_id, 'replies:' || a.id || ':' || ${threadId}::text as key
      from mail_subscriptions s
      join mail_addresses a on a.id = s.address_id
      where s.thread_id = ${threadId}::text and a.confirmed_at is not null and a.stopped_at is null
        and exists (
          select 1 from jsonb_to_recordset(${posts}::jsonb) as p(author text, answered jsonb)
          where s.commenter_id is distinct from p.author
            and (s.scope = 'thread' or s.comment_id in (select jsonb_array_elements_text(p.answered))))
      order by a.id
    ), retrying as materialized (
      select o.dedupe_key, o.locked_until from outbox o
      where o.dedupe_key in (select key from tell) and o.attempts > 0 and o.done_at is null and o.failed_at is null
      for update of o
    )
    insert into outbox (uid, kind, lane, dedupe_key, site_id, commenter_id, payload, next_attempt_at, created_at)
    select
      substr(md5(random()::text || clock_timestamp()::text || t.address_id), 1, 16), 'mail.replies',
      t.key, t.key, ${siteId}::text, t.commenter_id,
      jsonb_build_object('addressId', t.address_id, 'threadId', ${threadId}::text),
      ${now}::timestamptz + make_interval(mins => coalesce((site.settings->>'replyBatchMinutes')::int, ${String(REPLY_BATCH_MINUTES)}::int)),
      ${now}::timestamptz
    from tell t
    join sites site on site.id = ${siteId}::text
    where not exists (select 1 from retrying r where r.dedupe_key = t.key and (r.locked_until is null or r.locked_until <= ${now}::timestamptz))
      -- The common case on a busy thread: every follower's batch is already waiting. Nothing is built
      -- for them (the conflict clause below still settles a race with another transaction).
      and not exists (select 1 from outbox p where p.dedupe_key = t.key and p.attempts = 0 and p.done_at is null and p.failed_at is null)
    on conflict (dedupe_key) where dedupe_key is not null and attempts = 0 and done_at is null and failed_at is null do nothing`;
}

/** The confirmed, unstopped address through which a commenter subscribed to a thread, if any. */
export async function confirmedSubscriberOf(trx: Tx, commenterId: string, threadId: string) {
  return trx
    .selectFrom('mail_subscriptions as s')
    .innerJoin('mail_addresses as a', 'a.id', 's.address_id')
    .select(['a.id'])
    .where('s.commenter_id', '=', commenterId)
    .where('s.thread_id', '=', threadId)
    .where('a.confirmed_at', 'is not', null)
    .where('a.stopped_at', 'is', null)
    .executeTakeFirst();
}

export async function addressesOfCommenter(db: Executor, commenterId: string, siteId?: string): Promise<MailAddress[]> {
  let query = db.selectFrom('mail_addresses').selectAll().where('commenter_id', '=', commenterId);
  if (siteId) query = query.where('site_id', '=', siteId);
  return query.execute();
}
