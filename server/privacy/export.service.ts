import type { Executor } from '../db';
import { errors } from '../errors';
import { withSettings } from '../sites/site.service';
import * as repo from './export.repo';
import { privacyExtensions } from './extensions';
import type { PrivacySubject } from './privacy.extension';
import { DAY_MS, dayOfHash } from './network';
import { isoOrNull } from '../clock';

const addDays = (d: Date, days: number) => new Date(new Date(d).getTime() + days * DAY_MS).toISOString();

export const EXPORT_FORMAT = 'parley-export/1';

/**
 * Everything Parley holds about one commenter, as one document: the profile, every comment in every
 * status with its edits, reactions, flags, pending lost-token requests, what is kept about their
 * network and until when, and the sections other domains add (votes, moderation decisions). Keys
 * are stable: a section with nothing in it is an empty list, never missing.
 */
export async function exportCommenter(db: Executor, commenterId: string, scope: { siteId?: string } = {}, now = new Date()) {
  const commenter = await db.selectFrom('commenters').selectAll().where('id', '=', commenterId).executeTakeFirst();
  if (!commenter) throw errors.notFound('The commenter');
  const { siteId } = scope;

  const comments = await repo.commentsOf(db, commenterId, siteId);
  const commentIds = comments.map((c) => c.id);
  const [edits, reactions, flags, requests] = await Promise.all([
    repo.editsOf(db, commentIds),
    repo.reactionsOf(db, commenterId, siteId),
    repo.flagsOf(db, commenterId, siteId),
    repo.pendingRequestsFor(db, commenter.email),
  ]);
  const sites = new Map(
    (await repo.sitesByIds(db, [...new Set(comments.map((c) => c.site_id))])).map((s) => [s.id, withSettings(s)]),
  );
  const retentionOf = (site: string) => sites.get(site)?.settings.retentionDays ?? 30;

  const editsByComment = new Map<string, Array<{ bodySource: string; replacedAt: string | null }>>();
  for (const e of edits) {
    const list = editsByComment.get(e.comment_id) ?? [];
    list.push({ bodySource: e.body_src, replacedAt: isoOrNull(e.edited_at) });
    editsByComment.set(e.comment_id, list);
  }

  // Network: one entry per hash, with the comments it sits on and the day it will be erased.
  const networks = new Map<string, { hash: string; day: string | null; commentIds: string[]; keptUntil: string }>();
  for (const c of comments) {
    if (!c.ip_hash) continue;
    const until = addDays(c.created_at, retentionOf(c.site_id));
    const entry = networks.get(c.ip_hash) ?? { hash: c.ip_hash, day: dayOfHash(c.ip_hash), commentIds: [], keptUntil: until };
    entry.commentIds.push(c.id);
    if (until > entry.keptUntil) entry.keptUntil = until;
    networks.set(c.ip_hash, entry);
  }

  const document: Record<string, unknown> = {
    format: EXPORT_FORMAT,
    generatedAt: now.toISOString(),
    scope: siteId ? { siteId } : { siteId: null },
    commenter: {
      id: commenter.id,
      name: commenter.name,
      email: commenter.email,
      website: commenter.website,
      createdAt: isoOrNull(commenter.created_at),
      hasToken: commenter.token_hash !== null,
      showVote: commenter.show_vote,
    },
    comments: comments.map((c) => ({
      id: c.id,
      siteId: c.site_id,
      thread: { id: c.thread_id, key: c.thread_key, url: c.thread_url, title: c.thread_title },
      parentId: c.parent_id,
      replyToId: c.reply_to_id,
      status: c.status,
      previousStatus: c.previous_status,
      authorName: c.author_name,
      authorWebsite: c.author_website,
      bodySource: c.body_src,
      bodyHtml: c.body_html,
      featured: c.featured,
      reactionCount: c.reaction_count,
      replyCount: c.reply_count,
      flagCount: c.flag_count,
      createdAt: isoOrNull(c.created_at),
      editedAt: isoOrNull(c.edited_at),
      deletedAt: isoOrNull(c.deleted_at),
      edits: editsByComment.get(c.id) ?? [],
      network: c.ip_hash ? { hash: c.ip_hash, keptUntil: addDays(c.created_at, retentionOf(c.site_id)) } : null,
      userAgent: c.user_agent ? { value: c.user_agent, keptUntil: addDays(c.created_at, retentionOf(c.site_id)) } : null,
    })),
    reactions: reactions.map((r) => ({ commentId: r.comment_id, threadId: r.thread_id, siteId: r.site_id, createdAt: isoOrNull(r.created_at) })),
    flags: flags.map((f) => ({
      commentId: f.comment_id,
      threadId: f.thread_id,
      siteId: f.site_id,
      reason: f.reason,
      note: f.note,
      createdAt: isoOrNull(f.created_at),
    })),
    votes: [],
    moderationDecisions: [],
    privacyRequests: requests.map((r) => ({
      id: r.id,
      siteId: r.site_id,
      kind: r.kind,
      channel: r.channel,
      createdAt: isoOrNull(r.created_at),
      expiresAt: isoOrNull(r.expires_at),
    })),
    network: {
      explanation:
        'Your network address was never stored. Each entry is a keyed fingerprint of your network for one day; ' +
        'it is erased on the date given, and the day’s key is destroyed after the longest retention period, ' +
        'after which no one can link it to any address.',
      hashes: [...networks.values()],
    },
  };

  const subject: PrivacySubject = { commenterId, siteId, commentIds };
  for (const extension of privacyExtensions) {
    if (extension.export) Object.assign(document, await extension.export(db, subject));
  }
  return document;
}

export type ExportDocument = Awaited<ReturnType<typeof exportCommenter>>;

/** `parley-export-<id>-<date>.json`: what the browser saves the download as. */
export function exportFileName(label: string, now = new Date()): string {
  return `parley-export-${label.replace(/[^\w-]/g, '')}-${now.toISOString().slice(0, 10)}.json`;
}
