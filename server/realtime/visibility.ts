import type { ThreadChange } from '../threads/thread.events';
import type { MissedEvent } from './contract';

/**
 * The last line of defence between the replay log and a reader: an event meant for everyone never
 * carries the text or author of a comment readers may not see. Writers already send only listed
 * comments to everyone (audiencesFor); a change that hides a comment still tells readers which
 * comment to take down, so it keeps the ids and drops the rest. Live delivery and replays go through
 * the same function, so a replayed event is exactly what was delivered live.
 */
const HIDDEN_FROM_READERS = new Set(['pending', 'rejected', 'spam']);

export function outgoing(change: ThreadChange): MissedEvent {
  if (change.event === 'thread:updated') return { event: change.event, payload: change.payload };
  const { comment } = change.payload;
  if (change.audience !== null || !HIDDEN_FROM_READERS.has(comment.status)) return { event: change.event, payload: change.payload };
  const hidden = { ...comment, author: { name: null, website: null, badge: null }, bodyHtml: '' };
  return { event: change.event, payload: { ...change.payload, comment: hidden } };
}
