import { type RawBuilder, sql } from 'kysely';
import type { Site, Thread } from '../../db/schema';
import { type Executor, type GatheredReads, PREPARED } from '../db';
import { type RiskContextArgs, type RiskContextRow, riskContextExpression } from '../abuse/abuse.repo';
import { activeBan } from '../moderation/ban.repo';
import { duplicateExists } from './comment.repo';

/**
 * Everything a new comment is checked against before it is written, read in one round trip: the
 * thread and its site, the days of the site's active network bans (to hash the request's network
 * under), the author's own longest active ban, whether the same text is already theirs in the
 * thread, how many of their comments the site has approved, their last post in slow mode, and for a
 * reader's post what its risk needs (the abuse defence's lookups, in a function with a plan of its own: see migration 100). Each
 * part is the same condition as its single-purpose query (`findDuplicate`, `activeNetworkDays`,
 * `findActiveBan`, `approvedCount`).
 */
export interface PostContext {
  thread: Thread;
  site: Site;
  banDays: string[];
  /** The author's active ban by identity, the longest-running one; network bans are checked apart. */
  commenterBan: { expires_at: Date | null } | null;
  duplicate: boolean;
  approvedCount: number;
  /** When the author last posted in the thread while slow mode was on (app clock), if it is on. */
  slowLastAt: Date | null;
  /** What the comment's risk needs (abuse.repo.ts), when it was asked for. */
  risk: RiskContextRow | null;
}

/** The context, or none when the thread does not exist; and what an embedded statement returned. */
export interface PostContextRead {
  context: PostContext | undefined;
  /** The `owner` column of the idempotency claim run along (see EarlyClaim), when there was one. */
  claimOwner: string | null;
}

type Row = Thread & {
  s_name: string;
  s_origins: Site['origins'];
  s_settings: Site['settings'];
  s_created_at: Date;
  s_updated_at: Date;
  ban_days: string[] | null;
  commenter_banned: boolean;
  commenter_ban_until: Date | null;
  duplicate: boolean;
  approved_count: number;
  slow_last_at: Date | null;
  risk: RiskContextRow | null;
  claim_owner?: string | null;
};

export async function readPostContext(
  db: Executor,
  args: {
    threadId: string;
    textHash: string;
    commenterId: string | null;
    ipHash: string | null;
    /** Whom slow mode holds: a reader with a token by that identity, a first post by its network; none for staff. */
    slowBy?: { commenterId: string } | { ipHash: string } | null;
    /** The risk context to read along (abuse.service.ts riskQuery), for a reader's post. */
    risk?: RiskContextArgs;
  },
  /** An idempotency claim to take in the same statement (see EarlyClaim). */
  claim?: RawBuilder<{ owner: string }>,
  /** Sends the read with others of the same moment, in one round trip (db.ts); else it goes alone. */
  read?: GatheredReads,
): Promise<PostContextRead> {
  const { commenterId, slowBy } = args;
  const slowWho = !slowBy ? null : 'commenterId' in slowBy ? sql`m.commenter_id = ${slowBy.commenterId}` : sql`m.ip_hash = ${slowBy.ipHash}`;
  const sameText = duplicateExists(args);
  const active = activeBan('b');
  const byCommenter = commenterId ? sql`b.site_id = t.site_id and b.commenter_id = ${commenterId} and ${active}` : null;
  const context = sql<Row>`
    select t.*,
      s.name as s_name, s.origins as s_origins, s.settings as s_settings,
      s.created_at as s_created_at, s.updated_at as s_updated_at,
      array(
        select distinct b.network_day from bans b join hash_keys k on k.day = b.network_day
        where b.site_id = t.site_id and b.network_hash is not null and ${active}
      ) as ban_days,
      ${byCommenter ? sql`exists (select 1 from bans b where ${byCommenter})` : sql`false`} as commenter_banned,
      ${byCommenter ? sql`(select b.expires_at from bans b where ${byCommenter} order by b.expires_at desc nulls first limit 1)` : sql`null::timestamptz`} as commenter_ban_until,
      ${sameText ?? sql`false`} as duplicate,
      ${commenterId ? sql`(select count(*) from comments a where a.commenter_id = ${commenterId} and a.site_id = t.site_id and a.status = 'approved')` : sql`0`}::int as approved_count,
      ${
        slowWho
          ? sql`case when t.slow_mode_seconds > 0 or t.slow_auto_seconds is not null then
              (select max(m.posted_at) from slow_mode_posts m where m.thread_id = t.id and ${slowWho}) end`
          : sql`null::timestamptz`
      } as slow_last_at,
      ${args.risk ? riskContextExpression(sql`t.site_id`, args.risk) : sql`null::json`} as risk
    from threads t join sites s on s.id = t.site_id
    where t.id = ${args.threadId}`;
  // With a claim: one row always, the claim's owner and the context, empty when there is no thread.
  const statement = claim
    ? sql<Row>`${PREPARED}
      with claim as (${claim})
      select (select owner from claim) as claim_owner, ctx.* from (select) as one left join lateral (${context}) as ctx on true`
    : sql<Row>`${PREPARED}${context}`;
  const rows = read ? await read(statement) : (await statement.execute(db)).rows;
  const claimOwner = rows[0]?.claim_owner ?? null;
  const row = rows[0]?.id ? rows[0] : undefined;
  return { context: row && contextOf(row), claimOwner };
}

function contextOf(row: Row): PostContext {
  const { s_name, s_origins, s_settings, s_created_at, s_updated_at, ban_days, commenter_banned, commenter_ban_until, duplicate, approved_count, slow_last_at, risk, claim_owner: _, ...thread } = row;
  return {
    thread: thread as Thread,
    site: { id: thread.site_id, name: s_name, origins: s_origins, settings: s_settings, created_at: s_created_at, updated_at: s_updated_at } as Site,
    banDays: ban_days ?? [],
    commenterBan: commenter_banned ? { expires_at: commenter_ban_until } : null,
    duplicate,
    approvedCount: Number(approved_count),
    slowLastAt: slow_last_at ? new Date(slow_last_at) : null,
    risk,
  };
}
