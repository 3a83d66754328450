import { typingIn } from '../help';

export type QueueKey = 'next' | 'prev' | 'approve' | 'reject' | 'spam' | 'feature' | 'ban' | 'select';

const KEYS: Record<string, QueueKey> = { j: 'next', k: 'prev', a: 'approve', r: 'reject', s: 'spam', f: 'feature', b: 'ban', x: 'select' };

/**
 * The queue's single-letter shortcuts, active while the queue is on screen. They stay out of the
 * way of typing (text fields, dialogs) and of the browser's own shortcuts (any modifier).
 */
export function queueKeys(handler: (key: QueueKey) => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    const key = KEYS[e.key];
    if (!key) return;
    e.preventDefault();
    handler(key);
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
