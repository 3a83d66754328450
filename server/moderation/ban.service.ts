import type { Ban } from '../../db/schema';
import * as commentRepo from '../comments/comment.repo';
import { type Db, inTransaction } from '../db';
import { AppError, errors } from '../errors';
import type { EventBus } from '../events';
import { newId } from '../ids';
import { actorRef, authorize, type StaffActor } from '../members/permissions';
import { DAY_MS, dayOfHash, type NetworkHasher, utcDay } from '../privacy/network';
import { writeLog } from '../audit/audit.repo';
import * as repo from './ban.repo';
import { pendingOf } from './decision.repo';
import { decideIn } from './decision.service';
import { decodeKeyset, encodeKeyset } from '../keyset';
import type { CreateBanInput } from './moderation.schema';
import { recordSiteEvent } from '../sites/site.events';
import { isoOrNull } from '../clock';

interface BanDeps {
  db: Db;
  bus: EventBus;
}

/** Pending comments rejected along with a ban, at most (a bigger backlog stays for the queue). */
const REJECT_LIMIT = 500;

/**
 * The ban that stops this request from commenting on the site, if any: by commenter, or by the
 * network the request comes from. Network bans hold day-keyed hashes, so the request's network is
 * hashed under each banned day's secret that still exists (at most one per day of the retention
 * period); a destroyed day's secret is never recreated, so such a ban simply stops matching.
 */
export async function activeBanFor(
  deps: { db: Db; network: NetworkHasher },
  siteId: string,
  who: { commenterId: string | null; ip: string | null },
): Promise<Ban | null> {
  const days = who.ip ? await repo.activeNetworkDays(deps.db, siteId) : [];
  const hashes = await networkHashes(deps, who.ip, days);
  return (await repo.findActiveBan(deps.db, siteId, who.commenterId, hashes)) ?? null;
}

/** The request's network hashed under each of these days' secrets that still exist. */
async function networkHashes(deps: { network: NetworkHasher }, ip: string | null, days: string[]): Promise<string[]> {
  if (!ip || days.length === 0) return [];
  const wanted = new Set(days);
  const oldest = days.reduce((a, b) => (a < b ? a : b));
  const span = Math.floor((Date.parse(utcDay()) - Date.parse(oldest)) / DAY_MS) + 1;
  return (await deps.network.hashesWithin(ip, span)).filter((h) => wanted.has(dayOfHash(h) ?? ''));
}

type BanSpan = { expires_at: Date | null };

/**
 * `activeBanFor` for a new comment whose context query (`readPostContext`) has already read the
 * banned days and the author's own ban: only a network ban still needs a query, and only when the
 * site has one. The longest-running of the two answers, as `findActiveBan` would.
 */
export async function banForPost(
  deps: { db: Db; network: NetworkHasher },
  siteId: string,
  ip: string | null,
  banDays: string[],
  commenterBan: BanSpan | null,
): Promise<BanSpan | null> {
  const hashes = await networkHashes(deps, ip, banDays);
  const network = hashes.length ? ((await repo.findActiveBan(deps.db, siteId, null, hashes)) ?? null) : null;
  if (!network || !commenterBan) return network ?? commenterBan;
  if (commenterBan.expires_at === null) return commenterBan;
  if (network.expires_at === null) return network;
  return commenterBan.expires_at >= network.expires_at ? commenterBan : network;
}

export async function createBan(deps: BanDeps, actor: StaffActor, input: CreateBanInput): Promise<{ ban: Ban; rejected: string[] }> {
  authorize(actor, input.site, 'moderate');
  let commenterId: string | null = null;
  let networkHash: string | null = null;
  let commentId: string | null = null;
  if (input.commentId) {
    const comment = await commentRepo.findComment(deps.db, input.commentId);
    if (!comment || comment.site_id !== input.site) throw errors.notFound('The comment');
    commentId = comment.id;
    if (input.scope === 'network') {
      if (!comment.ip_hash) {
        throw errors.unprocessable('no_network', 'Nothing is kept about the network this comment came from any more; ban the commenter instead.');
      }
      networkHash = comment.ip_hash;
    } else {
      if (!comment.commenter_id) throw errors.unprocessable('no_commenter', 'This comment has no commenter to ban (a member wrote it, or its author erased it).');
      commenterId = comment.commenter_id;
    }
  } else if (input.commenterId) {
    if (!(await repo.commenterOnSite(deps.db, input.site, input.commenterId))) throw errors.notFound('The commenter');
    commenterId = input.commenterId;
  }

  const who = actorRef(actor);
  return inTransaction(deps, async (uow) => {
    const ban = await repo.insertBan(uow.trx, {
      id: newId(),
      site_id: input.site,
      commenter_id: commenterId,
      network_hash: networkHash,
      network_day: networkHash ? dayOfHash(networkHash) : null,
      comment_id: commentId,
      reason: input.reason ?? null,
      created_by_type: who.type,
      created_by_id: who.id,
      created_by_name: who.name,
      expires_at: input.durationHours ? new Date(Date.now() + input.durationHours * 3600_000) : null,
    });
    await recordSiteEvent(uow, 'ban.created', {
      siteId: ban.site_id,
      banId: ban.id,
      commenterId: ban.commenter_id,
      expiresAt: isoOrNull(ban.expires_at),
    });
    const rejected: string[] = [];
    if (input.rejectPending) {
      for (const c of await pendingOf(uow.trx, input.site, { commenterId, networkHash }, REJECT_LIMIT)) {
        try {
          await decideIn(uow, actor, c.id, 'reject', { reason: input.reason ?? 'banned', details: { banId: ban.id } });
          rejected.push(c.id);
        } catch (err) {
          // Decided by someone else meanwhile: their decision stands.
          if (!(err instanceof AppError && err.kind === 'conflict')) throw err;
        }
      }
    }
    await writeLog(uow.trx, {
      siteId: input.site,
      actor,
      action: 'ban.create',
      targetType: 'ban',
      targetId: ban.id,
      commentId,
      commenterId,
      reason: input.reason ?? null,
      details: { scope: input.scope, expiresAt: ban.expires_at?.toISOString() ?? null, rejected: rejected.length },
    });
    return { ban, rejected };
  });
}

export async function liftBan(deps: BanDeps, actor: StaffActor, id: string): Promise<Ban> {
  const ban = await repo.findBan(deps.db, id);
  if (!ban) throw errors.notFound('The ban');
  authorize(actor, ban.site_id, 'moderate', 'The ban');
  return inTransaction(deps, async ({ trx }) => {
    const lifted = await repo.liftBan(trx, id);
    if (!lifted) return (await repo.findBan(trx, id)) ?? ban; // already lifted: nothing to do
    await writeLog(trx, {
      siteId: ban.site_id,
      actor,
      action: 'ban.lift',
      targetType: 'ban',
      targetId: ban.id,
      commenterId: ban.commenter_id,
      commentId: ban.comment_id,
    });
    return lifted;
  });
}

export async function listBans(
  deps: { db: Db },
  actor: StaffActor,
  query: { site: string; active: boolean; limit: number; cursor?: string },
) {
  authorize(actor, query.site, 'moderate');
  const after = query.cursor ? decodeKeyset(query.cursor) : undefined;
  const rows = await repo.listBans(deps.db, query.site, { active: query.active, limit: query.limit + 1, after });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => banView(r, { name: r.commenter_name, email: r.commenter_email })),
    nextCursor: rows.length > query.limit && last ? encodeKeyset({ createdAt: last.created_at.toISOString(), id: last.id }) : null,
  };
}

export function banView(b: Ban, commenter?: { name: string | null; email: string | null }) {
  const now = Date.now();
  return {
    id: b.id,
    siteId: b.site_id,
    scope: b.network_hash ? ('network' as const) : ('commenter' as const),
    commenter: b.commenter_id ? { id: b.commenter_id, name: commenter?.name ?? null, email: commenter?.email ?? null } : null,
    commentId: b.comment_id,
    reason: b.reason,
    createdBy: { type: b.created_by_type, id: b.created_by_id, name: b.created_by_name },
    createdAt: b.created_at.toISOString(),
    expiresAt: b.expires_at?.toISOString() ?? null,
    liftedAt: b.lifted_at?.toISOString() ?? null,
    active: !b.lifted_at && (!b.expires_at || b.expires_at.getTime() > now),
  };
}
