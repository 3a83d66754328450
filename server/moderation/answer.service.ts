import type { Comment } from '../../db/schema';
import { recordChange } from '../comments/comment.changes';
import type { UnitOfWork } from '../db';
import * as threadRepo from '../threads/thread.repo';
import { lockComment } from './decision.repo';

/**
 * Q&A (SPEC §12): in a thread whose format is `qa`, readers' top-level comments are questions, and
 * the first published staff reply to a question is its answer. The question then records it
 * (`answer_id`): its view carries `answerId`, so open widgets move it to the answered questions
 * live (`comment:updated`), and lists put it first with its answer under it.
 *
 * Written in the staff reply's own transaction (the thread is locked first, then the question): the
 * reply is never stored without its question marked answered.
 */
export async function answerQuestion(uow: UnitOfWork, reply: Comment): Promise<void> {
  if (!reply.parent_id || reply.status !== 'approved' || !reply.badge) return;
  const thread = await threadRepo.lockThread(uow.trx, reply.thread_id);
  if (thread?.format !== 'qa') return;
  const question = await lockComment(uow.trx, reply.parent_id);
  if (!question || question.parent_id !== null || question.answer_id !== null || question.badge) return;
  const updated = await uow.trx
    .updateTable('comments')
    .set({ answer_id: reply.id })
    .where('id', '=', question.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordChange(uow, question, updated);
}
