import type { Tx } from '../db';
import { type ArchiveContext, commentersIn, type Line, requireIn } from './archive.repo';
import type { ArchiveRecord } from './archive.schema';
import { ImportFileError } from './import.errors';
import { isoOrNull } from '../clock';

/**
 * The newsroom side of a site's archive: its members and their roles, its bans of commenters and
 * its moderation log. Exported without passwords, sessions or keys; restored so that the same people
 * moderate the same site with the same history.
 */
type Write = (record: ArchiveRecord) => Promise<void>;
const PAGE = 500;

/** A hash no password matches: a restored member signs in once an admin sets their password. */
export const NO_PASSWORD = '!restored-without-password';

export async function exportMembers(trx: Tx, siteId: string, write: Write): Promise<void> {
  const rows = await trx
    .selectFrom('site_members')
    .innerJoin('members', 'members.id', 'site_members.member_id')
    .select(['members.id', 'members.email', 'members.name', 'members.created_at', 'site_members.role'])
    .where('site_members.site_id', '=', siteId)
    .orderBy('members.id')
    .execute();
  for (const m of rows) {
    await write({ type: 'member', id: m.id, email: m.email, name: m.name, role: m.role, createdAt: m.created_at.toISOString() });
  }
}

export async function exportBansAndLog(trx: Tx, siteId: string, write: Write): Promise<void> {
  const bans = await trx.selectFrom('bans').selectAll().where('site_id', '=', siteId).orderBy('created_at').orderBy('id').execute();
  for (const b of bans) {
    // Network bans stay behind: their hashes only match under this server's daily keys.
    if (!b.commenter_id) continue;
    await write({
      type: 'ban',
      id: b.id,
      commenterId: b.commenter_id,
      commentId: b.comment_id,
      reason: b.reason,
      createdBy: { type: b.created_by_type, id: b.created_by_id, name: b.created_by_name },
      createdAt: b.created_at.toISOString(),
      expiresAt: isoOrNull(b.expires_at),
      liftedAt: isoOrNull(b.lifted_at),
    });
  }
  let after = 0;
  for (;;) {
    const rows = await trx.selectFrom('moderation_log').selectAll().where('site_id', '=', siteId).where('id', '>', after).orderBy('id').limit(PAGE).execute();
    for (const e of rows) {
      await write({
        type: 'log',
        actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name },
        action: e.action,
        targetType: e.target_type,
        targetId: e.target_id,
        commentId: e.comment_id,
        threadId: e.thread_id,
        commenterId: e.commenter_id,
        from: e.from_status,
        to: e.to_status,
        reason: e.reason,
        details: e.details ?? {},
        createdAt: e.created_at.toISOString(),
      });
    }
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}

/**
 * Members are shared by every site of a database: one already there (same id, or same email) is the
 * same person and keeps their password; only their role on this site is added.
 */
export async function insertMembers(ctx: ArchiveContext, batch: Line<'member'>[]): Promise<number> {
  let created = 0;
  for (const { line, record: m } of batch) {
    const email = m.email.toLowerCase();
    let member = await ctx.trx.selectFrom('members').select(['id', 'email']).where((eb) => eb.or([eb('id', '=', m.id), eb('email', '=', email)])).executeTakeFirst();
    if (member && member.id !== m.id) {
      ctx.notes.add('a member with the same email already existed: their account was kept and given the role', line, m.id);
    }
    if (!member) {
      member = await ctx.trx
        .insertInto('members')
        .values({ id: m.id, email, name: m.name, password_hash: NO_PASSWORD, created_at: m.createdAt })
        .returning(['id', 'email'])
        .executeTakeFirstOrThrow();
      created++;
    }
    await ctx.trx
      .insertInto('site_members')
      .values({ site_id: ctx.siteId, member_id: member.id, role: m.role })
      .onConflict((oc) => oc.columns(['site_id', 'member_id']).doNothing())
      .execute();
  }
  if (created > 0) {
    ctx.notes.add('members were restored without a password: set one with `parley members:reset-password <email>`', null, null, created);
  }
  return created;
}

export async function insertBans(ctx: ArchiveContext, batch: Line<'ban'>[]): Promise<number> {
  const commenters = await commentersIn(ctx, batch.map((b) => b.record.commenterId));
  const comments = await requireIn(ctx, 'comments', batch.map((b) => b.record.commentId).filter((id): id is string => !!id));
  let inserted = 0;
  for (const { line, record: b } of batch) {
    if (!commenters.has(b.commenterId)) throw new ImportFileError(`ban ${b.id} is of commenter ${b.commenterId}, who is not in the archive`, line);
    const owner = await ctx.trx.selectFrom('bans').select('site_id').where('id', '=', b.id).executeTakeFirst();
    if (owner) {
      if (owner.site_id !== ctx.siteId) throw new ImportFileError(`ban ${b.id} already exists in another site ("${owner.site_id}") of this database; restore into an empty database`, line);
      continue;
    }
    await ctx.trx
      .insertInto('bans')
      .values({
        id: b.id,
        site_id: ctx.siteId,
        commenter_id: b.commenterId,
        network_hash: null,
        network_day: null,
        comment_id: b.commentId && comments.has(b.commentId) ? b.commentId : null,
        reason: b.reason,
        created_by_type: b.createdBy.type,
        created_by_id: b.createdBy.id,
        created_by_name: b.createdBy.name,
        created_at: b.createdAt,
        expires_at: b.expiresAt,
        lifted_at: b.liftedAt,
      })
      .execute();
    inserted++;
  }
  return inserted;
}

/** Log entries are appended once: an entry already in the site's log (same moment, action and target) is skipped. */
const logKeys = new WeakMap<ArchiveContext, Set<string>>();
const logKey = (createdAt: string, action: string, targetId: string | null) => `${new Date(createdAt).toISOString()}|${action}|${targetId ?? ''}`;

export async function insertLog(ctx: ArchiveContext, batch: Line<'log'>[]): Promise<number> {
  let known = logKeys.get(ctx);
  if (!known) {
    // The site's log as it was before the restore, read once (a key per entry, not the entries).
    const rows = await ctx.trx.selectFrom('moderation_log').select(['created_at', 'action', 'target_id']).where('site_id', '=', ctx.siteId).execute();
    known = new Set(rows.map((r) => logKey(r.created_at.toISOString(), r.action, r.target_id)));
    logKeys.set(ctx, known);
  }
  const fresh = batch.map((b) => b.record).filter((e) => !known.has(logKey(e.createdAt, e.action, e.targetId)));
  if (fresh.length === 0) return 0;
  await ctx.trx
    .insertInto('moderation_log')
    .values(
      fresh.map((e) => ({
        site_id: ctx.siteId,
        actor_type: e.actor.type,
        actor_id: e.actor.id,
        actor_name: e.actor.name,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        comment_id: e.commentId,
        thread_id: e.threadId,
        commenter_id: e.commenterId,
        from_status: e.from,
        to_status: e.to,
        reason: e.reason,
        details: JSON.stringify(e.details),
        created_at: e.createdAt,
      })),
    )
    .execute();
  return fresh.length;
}

/**
 * Thread presets. One already in this site (same id) is left alone; one whose name another preset
 * of the site has (names are unique per site, whatever their case) stops the restore.
 */
export async function insertPresets(ctx: ArchiveContext, batch: Line<'preset'>[]): Promise<number> {
  let created = 0;
  for (const { line, record: p } of batch) {
    const same = await ctx.trx.selectFrom('thread_presets').select(['id', 'site_id']).where('id', '=', p.id).executeTakeFirst();
    if (same && same.site_id !== ctx.siteId) throw new ImportFileError(`preset ${p.id} belongs to site "${same.site_id}" in this database; restore into an empty database`, line);
    if (same) continue;
    const clash = await ctx.trx
      .selectFrom('thread_presets')
      .select('id')
      .where('site_id', '=', ctx.siteId)
      .where((eb) => eb(eb.fn('lower', ['name']), '=', p.name.toLowerCase()))
      .executeTakeFirst();
    if (clash) throw new ImportFileError(`another preset named "${p.name}" already exists in site "${ctx.siteId}"`, line);
    await ctx.trx
      .insertInto('thread_presets')
      .values({ id: p.id, site_id: ctx.siteId, name: p.name, settings: JSON.stringify(p.settings), created_at: p.createdAt, updated_at: p.updatedAt })
      .execute();
    created++;
  }
  return created;
}
