import type { Poll, PollOption } from '../../db/schema';
import { isoOrNull } from '../clock';

export interface PollView {
  id: string;
  threadId: string;
  question: string;
  kind: 'single' | 'multiple';
  maxChoices: number;
  visibility: Poll['visibility'];
  state: 'open' | 'closed';
  closesAt: string | null;
  closedAt: string | null;
  createdAt: string;
  options: Array<{ id: string; label: string; votes?: number }>;
  /** Present only when the viewer may see results. */
  results: { voters: number; votes: Record<string, number> } | null;
  myVote: string[] | null;
}

export function isOpen(poll: Poll, now = new Date()): boolean {
  return !poll.closed_at && (!poll.closes_at || poll.closes_at > now);
}

/** The moment a poll stopped taking votes, whether closed by hand or by its closing time. */
export function closedAt(poll: Poll, now = new Date()): Date | null {
  if (poll.closed_at) return poll.closed_at;
  if (poll.closes_at && poll.closes_at <= now) return poll.closes_at;
  return null;
}

export function resultsVisible(poll: Poll, hasVoted: boolean, now = new Date()): boolean {
  if (poll.visibility === 'always') return true;
  if (!isOpen(poll, now)) return true;
  return poll.visibility === 'after_vote' && hasVoted;
}

export function pollView(
  poll: Poll,
  options: PollOption[],
  tally: { counts: Map<string, number>; voters: number } | null,
  myVote: string[] | null,
  now = new Date(),
): PollView {
  const show = tally !== null && resultsVisible(poll, !!myVote?.length, now);
  const ended = closedAt(poll, now);
  return {
    id: poll.id,
    threadId: poll.thread_id,
    question: poll.question,
    kind: poll.kind,
    maxChoices: poll.max_choices,
    visibility: poll.visibility,
    state: ended ? 'closed' : 'open',
    closesAt: isoOrNull(poll.closes_at),
    closedAt: isoOrNull(ended),
    createdAt: poll.created_at.toISOString(),
    options: options.map((o) => ({ id: o.id, label: o.label, ...(show ? { votes: tally!.counts.get(o.id) ?? 0 } : {}) })),
    results: show
      ? { voters: tally!.voters, votes: Object.fromEntries(options.map((o) => [o.id, tally!.counts.get(o.id) ?? 0])) }
      : null,
    myVote: myVote?.length ? myVote : null,
  };
}
