import type { Comment } from '../../db/schema';
import type { CommentDeps } from '../comments/comment.deps';
import { postComment } from '../comments/comment.service';
import { errors } from '../errors';
import * as memberRepo from '../members/member.repo';
import { findMember } from '../members/member.repo';
import { authorize, type StaffActor } from '../members/permissions';
import * as threadRepo from '../threads/thread.repo';
import { writeLog } from '../audit/audit.repo';
import { answerQuestion } from './answer.service';

/**
 * A member answers readers (or starts the discussion) under their own name, with their role as a
 * badge, approved at once: the same posting path as readers, with the member rule of the pipeline.
 * An API key posts for a member of its site, named by `memberId`.
 */
export async function postAsMember(
  deps: CommentDeps,
  actor: StaffActor,
  threadId: string,
  input: { body: string; parentId?: string | null; memberId?: string },
): Promise<Comment> {
  const thread = await threadRepo.findThread(deps.db, threadId);
  if (!thread) throw errors.notFound('The thread');
  authorize(actor, thread.site_id, 'post', 'The thread');

  let author: { id: string; name: string; badge: string };
  if (actor.kind === 'member') {
    if (input.memberId && input.memberId !== actor.id) {
      throw errors.badRequest('member_not_allowed', 'Members post as themselves; memberId is for API keys.', [{ path: 'memberId', message: 'must be omitted' }]);
    }
    author = { id: actor.id, name: actor.name, badge: actor.roles.get(thread.site_id)! };
  } else {
    if (!input.memberId) {
      throw errors.validation('An API key posts for a member of its site.', [{ path: 'memberId', message: 'is required with an API key' }]);
    }
    const role = await memberRepo.roleOn(deps.db, input.memberId, thread.site_id);
    const member = role ? await findMember(deps.db, input.memberId) : undefined;
    if (!role || !member) throw errors.notFound('The member');
    author = { id: member.id, name: member.name, badge: role };
  }

  // The audit entry and a Q&A answer are written in the reply's own transaction: acknowledged, all are stored.
  const { comment } = await postComment(
    deps,
    { commenter: null, ipHash: null, userAgent: null, ip: null, member: author },
    thread.id,
    { body: input.body, parentId: input.parentId ?? null },
    {
      alsoWrite: async (uow, { comment: posted }) => {
        await writeLog(uow.trx, {
          siteId: thread.site_id,
          actor,
          action: 'comment.post',
          targetType: 'comment',
          targetId: posted.id,
          commentId: posted.id,
          threadId: thread.id,
          to: posted.status,
          details: { memberId: author.id, badge: author.badge, parentId: posted.parent_id },
        });
        if (thread.format === 'qa') await answerQuestion(uow, posted);
      },
    },
  );
  return comment;
}
