/**
 * The last line of defence between the replay log and a reader: an event meant for everyone never
 * carries the text or author of a comment readers may not see. Writers already send only approved
 * comments to everyone; a change that hides a comment (rejected, spam) still has to tell readers
 * which comment to take down, so it keeps the ids and drops the rest. Live broadcasts and replays go
 * through the same function, so a replayed event is exactly what was broadcast.
 */
const HIDDEN_FROM_READERS = new Set(['pending', 'rejected', 'spam']);

export function visiblePayload(payload: Record<string, unknown>, audience: string | null): Record<string, unknown> {
  if (audience !== null) return payload;
  const comment = payload.comment as Record<string, unknown> | undefined;
  if (!comment || typeof comment !== 'object' || !HIDDEN_FROM_READERS.has(comment.status as string)) return payload;
  return {
    ...payload,
    comment: { ...comment, author: { name: null, website: null, badge: null }, bodyHtml: '' },
  };
}

/** What a reader receives for one event, live or replayed: always with its thread and seq. */
export function outgoingPayload(
  threadId: string,
  seq: number,
  payload: Record<string, unknown>,
  audience: string | null,
): Record<string, unknown> {
  return visiblePayload({ ...payload, threadId, seq }, audience);
}
