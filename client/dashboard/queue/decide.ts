import type { Ctx } from '../context';
import type { Action, ModComment, QueueName } from '../types';

export interface BulkResult {
  id: string;
  ok: boolean;
  comment?: ModComment;
  error?: { code: string; message: string };
}

/** One decision, sent with the version the moderator saw: someone else's decision first is a 409. */
export async function decideOne(ctx: Ctx, comment: ModComment, action: Action): Promise<ModComment> {
  const res = await ctx.api.send<{ comment: ModComment }>('POST', `/moderation/comments/${comment.id}/decision`, { action, version: comment.version });
  return res.comment;
}

/** Many at once (at most 100 per call): one result per id. */
export async function decideMany(ctx: Ctx, ids: string[], action: Action): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const res = await ctx.api.send<{ results: BulkResult[] }>('POST', '/moderation/decisions', { ids: ids.slice(i, i + 100), action });
    results.push(...res.results);
  }
  return results;
}

/** Featuring needs a published comment: a pending one is approved first, then pinned. */
export async function toggleFeature(ctx: Ctx, comment: ModComment): Promise<ModComment> {
  if (comment.featured) return decideOne(ctx, comment, 'unfeature');
  const approved = comment.status === 'approved' ? comment : await decideOne(ctx, comment, 'approve');
  return decideOne(ctx, approved, 'feature');
}

/** Whether a comment, after a change, still belongs in the queue on screen. */
export function belongs(queue: QueueName, c: ModComment): boolean {
  if (queue === 'flagged') return c.status === 'approved' && c.openFlags > 0;
  return c.status === queue;
}
