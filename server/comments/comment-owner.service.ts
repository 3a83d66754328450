import type { Comment, Commenter } from '../../db/schema';
import { assessComment, rememberEdit } from '../abuse/abuse.service';
import type { ReaderActor } from '../actors';
import { inTransaction } from '../db';
import { errors } from '../errors';
import type { WriteHooks } from '../idempotency/idempotency.service';
import * as commenterRepo from '../commenters/commenter.repo';
import { activeBanFor } from '../moderation/ban.service';
import { runPipeline } from '../moderation/pipeline';
import { stateAt } from '../threads/schedule.rules';
import { getSite, type SiteWithSettings } from '../sites/site.service';
import * as threadRepo from '../threads/thread.repo';
import { applyCounters, canSee, recordChange } from './comment.changes';
import * as repo from './comment.repo';
import type { EditCommentInput } from './comment.schema';
import type { CommentDeps } from './comment.deps';
import { bodyTooLong, duplicateError, normaliseSource, renderedBody } from './comment.rules';
import { recordNotice } from '../sites/notice.events';

/**
 * What an author may do to their own comment: edit it within the site's window (the moderation rules
 * run again, so an edit can send it back to the queue) and delete it at any time (a tombstone that
 * keeps its replies in place). Anybody else: 403 when they can see the comment, 404 when they cannot.
 */
export interface OwnerResult {
  comment: Comment;
  site: SiteWithSettings;
}

/** The author's comment and its site: 401 without a token, 403 or 404 for anybody else. */
async function ownComment(
  deps: CommentDeps,
  actor: ReaderActor,
  id: string,
): Promise<{ commenter: Commenter; current: Comment; site: SiteWithSettings }> {
  const commenter = actor.commenter;
  if (!commenter) throw errors.unauthenticated('Send your commenter token to change your own comments.');
  const current = await repo.findComment(deps.db, id);
  if (!current || !canSee(current, commenter.id)) throw errors.notFound('The comment');
  if (current.commenter_id !== commenter.id) throw errors.forbidden('not_your_comment', 'Only the author of a comment can change it.');
  return { commenter, current, site: await getSite(deps.db, current.site_id) };
}

function checkEditable(comment: Comment, site: SiteWithSettings, now = Date.now()): void {
  if (comment.status === 'deleted') throw errors.conflict('comment_deleted', 'This comment was deleted.');
  if (comment.status === 'rejected') throw errors.conflict('comment_not_editable', 'A rejected comment cannot be edited.');
  const closesAt = comment.created_at.getTime() + site.settings.editWindowMinutes * 60_000;
  if (now > closesAt) {
    throw errors.forbidden(
      'edit_window_closed',
      `Comments can be edited for ${site.settings.editWindowMinutes} minutes after posting; this one can no longer be edited.`,
    );
  }
}

export async function editComment(
  deps: CommentDeps,
  actor: ReaderActor,
  id: string,
  input: EditCommentInput,
  hooks: WriteHooks<OwnerResult> = {},
): Promise<OwnerResult> {
  const { commenter, current, site } = await ownComment(deps, actor, id);
  checkEditable(current, site);
  const source = normaliseSource(input.body);
  const tooLong = bodyTooLong(source, site);
  if (tooLong) throw errors.validation('Some fields need attention.', [tooLong]);
  if (source === current.body_src) return { comment: current, site };

  // A banned reader (by commenter or network) may not rewrite what is already on the page either.
  const ban = await activeBanFor(deps, site.id, { commenterId: commenter.id, ip: actor.ip ?? null });

  const body = renderedBody(source);
  if (!ban) await deps.limits.consume('edit', { commenterId: commenter.id, network: actor.ipHash });

  // The new text gets its own risk (SPEC §11), read before the thread's lock like a post's. An edit
  // needs no proof of work: its author proved it for the post and is held by the edit flood limit.
  const approvedCount = await commenterRepo.approvedCount(deps.db, commenter.id, site.id);
  const assessment =
    deps.abuse && !ban
      ? await assessComment(deps.abuse, {
          siteId: site.id,
          threadId: current.thread_id,
          commenterId: commenter.id,
          ipHash: actor.ipHash,
          text: body.text,
          approvedCount,
          proof: 'exempt',
          commentId: current.id,
        })
      : null;

  const edited = await inTransaction(deps, async (uow) => {
    const { trx } = uow;
    const thread = await threadRepo.lockThread(trx, current.thread_id);
    const before = await repo.lockComment(trx, current.id);
    if (!thread || !before) throw errors.notFound('The comment');
    checkEditable(before, site); // a delete may have won the race

    if (await repo.findDuplicate(trx, { threadId: thread.id, textHash: body.hash, commenterId: commenter.id, ipHash: null, excludeId: before.id })) {
      throw duplicateError();
    }
    const verdict = runPipeline({
      site,
      thread: { ...thread, state: stateAt(thread, deps.clock.now()) },
      body,
      author: {
        isMember: false,
        approvedCount,
        banned: !!ban,
        bannedUntil: ban?.expires_at ?? null,
        trusted: assessment?.trusted ?? false,
      },
      risk: assessment?.risk,
      form: {},
      isEdit: true,
    });
    // Spam stays spam: an edit must not launder a bot's comment into the thread.
    const status = before.status === 'spam' ? 'spam' : verdict.status;

    await repo.insertEdit(trx, before.id, before.body_src);
    const after = await repo.updateComment(trx, before.id, {
      body_src: body.source,
      body_html: body.html,
      text_hash: body.hash,
      status,
      previous_status: status === before.status ? before.previous_status : before.status,
      edited_at: new Date(),
      // A moderator's decision taken on the old text must not land on the new one (409 instead).
      mod_version: before.mod_version + 1,
      ...(assessment ? { risk: assessment.risk.score, risk_reasons: JSON.stringify(assessment.risk.reasons) } : {}),
    });
    await applyCounters(uow, before, after);
    const comment = await recordChange(uow, before, after);
    await recordNotice(uow, 'comment.edited', { siteId: after.site_id, threadId: after.thread_id, commentId: after.id, commenterId: after.commenter_id });
    const result = { comment, site };
    await hooks.beforeCommit?.(trx, result);
    return result;
  });
  if (deps.abuse && assessment && edited.comment.body_src === body.source) {
    const { comment } = edited;
    // Later posts are compared with the text as it now reads; as after a post, a lost one only weakens that for a day.
    await rememberEdit(deps.abuse, {
      commentId: comment.id,
      siteId: comment.site_id,
      threadId: comment.thread_id,
      commenterId: comment.commenter_id,
      ipHash: comment.ip_hash,
      fingerprint: assessment.fingerprint,
      postedAt: comment.created_at,
    }).catch(() => {});
  }
  return edited;
}

export async function deleteComment(
  deps: CommentDeps,
  actor: ReaderActor,
  id: string,
  hooks: WriteHooks<OwnerResult> = {},
): Promise<OwnerResult> {
  const { commenter, current, site } = await ownComment(deps, actor, id);
  // Deleting twice is the same as deleting once.
  if (current.status === 'deleted') return { comment: current, site };
  await deps.limits.consume('edit', { commenterId: commenter.id, network: actor.ipHash });

  return inTransaction(deps, async (uow) => {
    const { trx } = uow;
    await threadRepo.lockThread(trx, current.thread_id);
    const before = await repo.lockComment(trx, current.id);
    if (!before) throw errors.notFound('The comment');
    if (before.status === 'deleted') return { comment: before, site };

    // The author asked for their words to go: the text, its earlier versions and the byline are
    // wiped, not hidden. The row stays as a tombstone so replies keep their place.
    await repo.deleteEdits(trx, before.id);
    const after = await repo.updateComment(trx, before.id, {
      status: 'deleted',
      previous_status: before.status,
      deleted_at: new Date(),
      body_src: '',
      body_html: '',
      text_hash: null,
      author_name: null,
      author_website: null,
      reader_badge: null,
    });
    await applyCounters(uow, before, after);
    const comment = await recordChange(uow, before, after);
    const result = { comment, site };
    await hooks.beforeCommit?.(trx, result);
    return result;
  });
}
