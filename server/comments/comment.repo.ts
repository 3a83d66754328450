import { type RawBuilder, sql } from 'kysely';
import type { Comment, CommentUpdate, NewComment, Thread } from '../../db/schema';
import type { Fingerprint } from '../abuse/simhash';
import { type Executor, failureDetail, PREPARED, trueOrFail, type Tx } from '../db';
import { type ThreadChange, threadChange, type ThreadChangeInput, threadEventRow } from '../threads/thread.events';
import { type AutoSlowMode, speedAfter } from '../threads/slow-mode.rules';

export async function findComment(db: Executor, id: string): Promise<Comment | undefined> {
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Several comments by id, in no order (the rows found; an id without one is left out). */
export async function findComments(db: Executor, ids: string[]): Promise<Comment[]> {
  if (!ids.length) return [];
  return db.selectFrom('comments').selectAll().where('id', 'in', ids).execute();
}

export async function lockComment(trx: Tx, id: string): Promise<Comment | undefined> {
  return trx.selectFrom('comments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Inserts a comment. Unless the caller gives a time (imports, the demo), the comment gets one
 * strictly after the thread's previous comment, taken under the thread's row lock: times in a thread
 * then follow commit order, so keyset pages never miss a comment that committed late.
 */
export async function insertComment(trx: Tx, values: NewComment): Promise<Comment> {
  let createdAt = values.created_at;
  if (createdAt === undefined) {
    const stamp = await trx
      .updateTable('threads')
      .set({
        last_comment_at: sql`greatest(date_trunc('milliseconds', clock_timestamp()), last_comment_at + interval '1 millisecond')`,
      })
      .where('id', '=', values.thread_id)
      .returning('last_comment_at')
      .executeTakeFirstOrThrow();
    createdAt = stamp.last_comment_at!;
  }
  return trx
    .insertInto('comments')
    .values({ ...values, created_at: createdAt })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type NewCommentValues = Omit<NewComment, 'seq' | 'created_at'>;

const COLUMNS = [
  'id', 'site_id', 'thread_id', 'parent_id', 'reply_to_id', 'root_id', 'depth', 'commenter_id', 'member_id',
  'author_name', 'author_website', 'badge', 'body_src', 'body_html', 'text_hash', 'status', 'previous_status',
  'status_reason', 'ip_hash', 'user_agent', 'reader_badge', 'risk', 'risk_reasons',
] as const;

/**
 * A new comment's COLUMNS, for the batch's JSON: one object literal, which the batch's row then
 * extends (`planClaimingThread`), rather than an object built entry by entry from the list and
 * spread into the row. The type keeps it to the list.
 */
function columnsOf(c: Comment): Record<(typeof COLUMNS)[number], unknown> {
  return {
    id: c.id,
    site_id: c.site_id,
    thread_id: c.thread_id,
    parent_id: c.parent_id ?? null,
    reply_to_id: c.reply_to_id ?? null,
    root_id: c.root_id ?? null,
    depth: c.depth ?? null,
    commenter_id: c.commenter_id ?? null,
    member_id: c.member_id ?? null,
    author_name: c.author_name ?? null,
    author_website: c.author_website ?? null,
    badge: c.badge ?? null,
    body_src: c.body_src ?? null,
    body_html: c.body_html ?? null,
    text_hash: c.text_hash ?? null,
    status: c.status ?? null,
    previous_status: c.previous_status ?? null,
    status_reason: c.status_reason ?? null,
    ip_hash: c.ip_hash ?? null,
    user_agent: c.user_agent ?? null,
    reader_badge: c.reader_badge ?? null,
    risk: c.risk ?? null,
    risk_reasons: c.risk_reasons ?? null,
  };
}

/** What a new comment is checked against under the thread's lock before anything is written. */
export interface InsertGuard {
  /** The thread as the post was judged against: a thread closed or switched meanwhile writes nothing. */
  state: 'open' | 'closed';
  mode: 'pre' | 'post' | 'first_time' | null;
  /** The same text by the same author already in the thread writes nothing (see findDuplicate). */
  duplicate: { textHash: string; commenterId: string | null; ipHash: string | null };
}

/**
 * The duplicate rule, on a comment `d`: the same text in the thread, not deleted, by the same author
 * — the same commenter at any time or, for a first post with no commenter yet, the same network in
 * the last ten minutes (a double-click on "Post" before the browser had a token). The parts are
 * values, or columns of a batch's rows (planClaimingThread).
 *
 * `sameText` is the comments `d` the rule looks at, as a fenced subquery (`offset 0`): it is planned
 * on its own, so it is always one probe of comments_thread_text, whatever the table's statistics
 * say. Unfenced, a planner that still believes a new thread small (statistics lag a viral thread by
 * a minute or more) read every comment of the thread, or every recent comment of the site, on every
 * post — work that grew with the thread, under its lock.
 */
const sameText = (threadId: unknown, textHash: unknown, excludeId?: string) =>
  sql`(select d.commenter_id, d.ip_hash, d.created_at from comments d
    where d.thread_id = ${threadId} and d.text_hash = ${textHash} and d.status <> 'deleted'${excludeId ? sql` and d.id <> ${excludeId}` : sql``}
    offset 0) as d`;
const byCommenter = (commenterId: unknown) => sql`d.commenter_id = ${commenterId}`;
const byNetwork = (ipHash: unknown) => sql`d.ip_hash = ${ipHash} and d.created_at > now() - interval '10 minutes'`;

/**
 * Whether the rule finds a duplicate, as a SQL condition for statements that check it along with
 * other things. Null when nothing identifies the author (never a duplicate).
 */
export function duplicateExists(d: { threadId: string; textHash: string; commenterId: string | null; ipHash: string | null; excludeId?: string }) {
  const author = d.commenterId ? byCommenter(d.commenterId) : d.ipHash ? byNetwork(d.ipHash) : null;
  if (!author) return null;
  return sql<boolean>`exists (select 1 from ${sameText(d.threadId, d.textHash, d.excludeId)} where ${author})`;
}

/** Slow mode for one post, as judged (app clock): what it records, and how it counts towards the thread's speed. */
export interface SlowPlan {
  at: Date;
  /** The interval the post was held to (0: slow mode off, or staff); its time is recorded when on. */
  seconds: number;
  /** A reader's post counts towards the thread's posting speed; staff's do not. */
  counts: boolean;
  auto: AutoSlowMode | null;
}

/** A new comment to write under the thread's lock, with its guard, its event and its new commenter if any. */
export interface ClaimingInsert {
  values: NewCommentValues;
  /** 1 when the comment counts in the thread's comment count (approved), else 0. */
  approvedDelta: number;
  guard: InsertGuard;
  /** The comment's creation event (creationEvent), its seq and time left to fill in here. */
  event: Extract<ThreadChangeInput, { comment: unknown }>;
  newCommenter?: { id: string; token_hash: string; name: string | null; email: string | null; website: string | null };
  /** Whatever follows the insert writes statements of its own (a reply's counters, a changed profile). */
  writesMore: boolean;
  slow: SlowPlan;
  /**
   * The text's SimHash bands and the time they count from (the app's clock), for the abuse
   * defence's near-duplicate and speed signals: written with the comment, in the batch's statement.
   */
  fingerprint?: { bands: Fingerprint; at: Date } | null;
}

/** A planned comment, with its creation event exactly as the batch writes it to the replay log. */
export type Claimed =
  | {
      comment: Comment;
      change: ThreadChange;
      siteEndpoints: number;
      /** This batch made the thread fast while automatic slow mode was off: the interval to switch on. */
      slowModeOn?: number;
    }
  | { refused: 'duplicate' | 'changed' | 'gone' }
  /** The same reader twice in one batch of a thread in slow mode. */
  | { refused: 'slow'; seconds: number };

/** The duplicate rule's keys for a comment written in this batch, and the key a new one is checked under. */
const writtenKeys = (v: NewCommentValues) => [v.commenter_id && `c:${v.commenter_id}:${v.text_hash}`, v.ip_hash && `n:${v.ip_hash}:${v.text_hash}`];
const checkedKey = (d: InsertGuard['duplicate']) => (d.commenterId ? `c:${d.commenterId}:${d.textHash}` : d.ipHash ? `n:${d.ipHash}:${d.textHash}` : null);

/** The thread as locked: what new comments are checked against, and where its seqs and times stand. */
/** `site_endpoints`: the site's enabled webhook endpoints, read with the lock (its writer needs no query of its own when there are none). */
export type LockedThread = Pick<Thread, 'state' | 'mode' | 'seq' | 'speed_window_at' | 'speed_window_posts' | 'slow_auto_seconds'> & {
  last_comment_at: Date | null;
  now: Date;
  site_endpoints: number;
};

/** Locks a thread's row until the transaction ends; returns what a batch of new comments is planned on. */
export async function lockThread(trx: Tx, threadId: string, opening: RawBuilder<unknown> = PREPARED): Promise<LockedThread | undefined> {
  const { rows } = await sql<LockedThread>`${opening}
    select state, mode, seq, last_comment_at, speed_window_at, speed_window_posts, slow_auto_seconds,
      date_trunc('milliseconds', clock_timestamp()) as now,
      (select s.webhook_endpoints from sites s where s.id = threads.site_id) as site_endpoints
    from threads where id = ${threadId} for update`.execute(trx);
  return rows[0];
}

/** The message a batch's insert fails with when it meets duplicates already in the thread. */
const DUPLICATES = 'parley: duplicates in the thread at';

/** The positions (in the batch) of the posts a failed batch insert found already in the thread, if that was why it failed. */
export function duplicatesFound(err: unknown): number[] | undefined {
  return failureDetail(err, DUPLICATES)?.split(',').map(Number);
}

export interface PlannedBatch {
  /** One outcome per insert, in order: the comment as it will be written, or why it will not be. */
  outcomes: Claimed[];
  /** The statement that writes the planned comments, if any (see planClaimingThread). */
  write: RawBuilder<unknown> | undefined;
}

/**
 * Plans new comments in one thread under its row lock (`lockThread`, held until the caller's
 * transaction commits, so every check is exact, even across instances). A comment whose guard no
 * longer holds (the thread closed, or its moderation changed, since the post was judged) or that
 * repeats one earlier in the batch is refused. The others take the thread's next seqs and times in
 * the order given (each time strictly after the previous comment's, so keyset pages never miss a
 * comment that committed late): the outcome is each comment exactly as it will be stored.
 *
 * `write` is one statement that moves the thread's seq, time and approved count, and inserts the new
 * commenters, the comments, their events in the replay log and their texts' fingerprints (abuse). If any of them repeats a comment
 * already in the thread, it writes nothing and fails; `duplicatesFound` reads which from the error.
 */
export function planClaimingThread(threadId: string, inserts: ClaimingInsert[], thread: LockedThread | undefined): PlannedBatch {
  if (!thread) return { outcomes: inserts.map(() => ({ refused: 'gone' as const })), write: undefined };
  const outcomes: Claimed[] = [];
  const candidates: Array<{ at: number; insert: ClaimingInsert; comment: Comment; change: ThreadChange }> = [];
  const written = new Set<string>();
  const slowed = new Set<string>();
  const last = thread.last_comment_at ? thread.last_comment_at.getTime() + 1 : 0;
  const firstTime = Math.max(thread.now.getTime(), last);
  for (const [at, insert] of inserts.entries()) {
    const { guard, values } = insert;
    if (guard.state !== thread.state || guard.mode !== thread.mode) {
      outcomes[at] = { refused: 'changed' };
      continue;
    }
    const key = checkedKey(guard.duplicate);
    if (key && written.has(key)) {
      outcomes[at] = { refused: 'duplicate' };
      continue;
    }
    const slowKey = insert.slow.seconds ? slowedKey(guard.duplicate) : null;
    if (slowKey && slowed.has(slowKey)) {
      outcomes[at] = { refused: 'slow', seconds: insert.slow.seconds };
      continue;
    }
    if (slowKey) slowed.add(slowKey);
    for (const k of writtenKeys(values)) if (k) written.add(k);
    const n = candidates.length;
    // Object.assign, not a spread followed by more properties: V8 (Node 20) adds each property after
    // a spread one at a time, some 7 µs for these six, on every post under the thread's lock.
    const comment = Object.assign({}, values, {
      seq: thread.seq + n + 1,
      created_at: new Date(firstTime + n),
      edited_at: null,
      featured: false,
      reaction_count: 0,
      reply_count: 0,
    }) as Comment;
    const shown = { ...insert.event.comment, createdAt: comment.created_at.toISOString() };
    const change = threadChange({ siteId: comment.site_id, threadId }, comment.seq, { ...insert.event, comment: shown });
    outcomes[at] = { comment, change, siteEndpoints: thread.site_endpoints };
    candidates.push({ at, insert, comment, change });
  }
  if (!candidates.length) return { outcomes, write: undefined };
  const speed = speedOf(thread, candidates.map((c) => c.insert.slow));
  if (speed.switchOn) (outcomes[candidates[candidates.length - 1]!.at] as { slowModeOn?: number }).slowModeOn = speed.switchOn;

  const rows = candidates.map(({ at, insert, comment, change }) => {
    const { guard, newCommenter } = insert;
    const event = threadEventRow(change);
    // Added to the columns' object rather than spread with them into a new one (see `comment` above:
    // some 20 µs a row for these seventeen).
    return Object.assign(columnsOf(comment), {
      ord: at,
      seq: comment.seq,
      created_at: comment.created_at.toISOString(),
      slow_at: insert.slow.seconds ? insert.slow.at.toISOString() : null,
      fp: insert.fingerprint ? [...insert.fingerprint.bands] : null,
      fp_at: insert.fingerprint ? insert.fingerprint.at.toISOString() : null,
      d_commenter: guard.duplicate.commenterId,
      d_ip: guard.duplicate.ipHash,
      k_id: newCommenter?.id ?? null,
      k_token: newCommenter?.token_hash ?? null,
      k_name: newCommenter?.name ?? null,
      k_email: newCommenter?.email ?? null,
      k_website: newCommenter?.website ?? null,
      ev: event.event,
      payload: event.payload,
      audience: event.audience,
    });
  });
  const lastRow = candidates[candidates.length - 1]!.comment;
  const approved = candidates.reduce((sum, c) => sum + c.insert.approvedDelta, 0);
  const cols = sql.join(COLUMNS.map((c) => sql.ref(c)));
  // The reasons travel as JSON text inside the batch's JSON, and become jsonb again here.
  const fromX = sql.join(COLUMNS.map((c) => (c === 'risk_reasons' ? sql`x.risk_reasons::jsonb` : sql.ref(`x.${c}`))));
  const write = sql`${PREPARED}
    with x as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
        ord int, id text, site_id text, thread_id text, parent_id text, reply_to_id text, root_id text, depth int,
        commenter_id text, member_id text, author_name text, author_website text, badge text, body_src text,
        body_html text, text_hash text, status text, previous_status text, status_reason text, ip_hash text,
        user_agent text, reader_badge text, risk real, risk_reasons text, seq int, created_at timestamptz, slow_at timestamptz, fp int[], fp_at timestamptz, d_commenter text, d_ip text, k_id text, k_token text,
        k_name text, k_email text, k_website text, ev text, payload jsonb, audience text)
    ), dup as (
      select string_agg(x.ord::text, ',' order by x.ord) as ords
      from x
      where exists (
        select 1 from ${sameText(threadId, sql.ref('x.text_hash'))}
        where ((x.d_commenter is not null and ${byCommenter(sql.ref('x.d_commenter'))})
            or (x.d_commenter is null and x.d_ip is not null and ${byNetwork(sql.ref('x.d_ip'))})))
    ), t as (
      -- Parameters here are strings or numbers only: the statement may go inlined with the commit.
      update threads set seq = ${lastRow.seq}::int, comment_count = comment_count + ${approved}::int,
        last_comment_at = ${lastRow.created_at.toISOString()}::timestamptz,
        speed_window_at = ${speed.at ? sql`${speed.at.toISOString()}::timestamptz` : sql`null`}, speed_window_posts = ${speed.posts}::int,
        slow_auto_until = ${speed.until ? sql`${speed.until.toISOString()}::timestamptz` : sql`slow_auto_until`}
      where id = ${threadId}
    ), sm as (
      insert into slow_mode_posts (thread_id, commenter_id, ip_hash, posted_at)
      select x.thread_id, x.commenter_id, x.ip_hash, x.slow_at from x where x.slow_at is not null
    ), kk as (
      insert into commenters (id, token_hash, name, email, website)
      select k_id, k_token, k_name, k_email, k_website from x where k_id is not null
    ), c as (
      insert into comments (${cols}, seq, created_at)
      select ${fromX}, x.seq, x.created_at from x
    ), e as (
      insert into thread_events (thread_id, seq, event, payload, audience)
      select x.thread_id, x.seq, x.ev, x.payload, x.audience from x
    ), fp as (
      insert into abuse_fingerprints (comment_id, site_id, thread_id, commenter_id, ip_hash, band0, band1, band2, band3, created_at)
      select x.id, x.site_id, x.thread_id, x.commenter_id, x.ip_hash, x.fp[1], x.fp[2], x.fp[3], x.fp[4], x.fp_at from x where x.fp is not null
    )
    -- A duplicate already in the thread: the statement fails (so writes nothing), naming the posts.
    select ${trueOrFail(sql`dup.ords is null`, DUPLICATES, sql`dup.ords`)} as written from dup`;
  return { outcomes, write };
}

/** Slow mode holds a reader with a token by that identity, a first post by its network. */
const slowedKey = (d: InsertGuard['duplicate']) => (d.commenterId ? `c:${d.commenterId}` : d.ipHash ? `n:${d.ipHash}` : null);

/** The thread's posting-speed window after a batch (readers' posts count, by the app's clock of the latest). */
function speedOf(thread: LockedThread, plans: SlowPlan[]) {
  const counted = plans.filter((p) => p.counts);
  if (!counted.length) return { at: thread.speed_window_at, posts: thread.speed_window_posts, until: null, switchOn: null };
  const latest = counted.reduce((a, b) => (b.at > a.at ? b : a));
  return speedAfter(thread, latest.at, counted.length, latest.auto);
}

export async function updateComment(trx: Tx, id: string, patch: CommentUpdate): Promise<Comment> {
  return trx.updateTable('comments').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function addToReplyCount(trx: Tx, commentId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await trx
    .updateTable('comments')
    .set((eb) => ({ reply_count: eb('reply_count', '+', delta) }))
    .where('id', '=', commentId)
    .execute();
}

/** Adds to a parent's reply count and returns what decides whether the parent itself stays listed. */
export async function shiftReplyCount(
  trx: Tx,
  commentId: string,
  delta: number,
): Promise<Pick<Comment, 'status' | 'reply_count' | 'parent_id'> | undefined> {
  return trx
    .updateTable('comments')
    .set({ reply_count: sql`greatest(0, reply_count + ${delta})` })
    .where('id', '=', commentId)
    .returning(['status', 'reply_count', 'parent_id'])
    .executeTakeFirst();
}

export async function setSeq(trx: Tx, commentId: string, seq: number): Promise<void> {
  await trx.updateTable('comments').set({ seq }).where('id', '=', commentId).execute();
}

export async function insertEdit(trx: Tx, commentId: string, previousBody: string): Promise<void> {
  await trx.insertInto('comment_edits').values({ comment_id: commentId, body_src: previousBody }).execute();
}

export async function deleteEdits(trx: Tx, commentId: string): Promise<void> {
  await trx.deleteFrom('comment_edits').where('comment_id', '=', commentId).execute();
}

/** The ids of a comment's ancestors, top-level first, in one round trip. */
export async function ancestorIds(db: Executor, id: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive chain(id, parent_id, n) as (
      select id, parent_id, 0 from comments where id = ${id}
      union all
      select c.id, c.parent_id, chain.n + 1 from comments c join chain on c.id = chain.parent_id
      where chain.n < 100
    )
    select id from chain where n > 0 order by n desc`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Whether the duplicate rule (see `sameText`) finds the same text by the same author in the thread. */
export async function findDuplicate(
  db: Executor,
  args: { threadId: string; textHash: string; commenterId: string | null; ipHash: string | null; excludeId?: string },
): Promise<boolean> {
  const exists = duplicateExists(args);
  if (!exists) return false;
  const { rows } = await sql<{ found: boolean }>`select ${exists} as found`.execute(db);
  return rows[0]!.found;
}
