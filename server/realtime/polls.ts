import type { Deps } from '../deps';
import * as pollRepo from '../polls/poll.repo';
import { viewPoll } from '../polls/poll.service';
import type { ReaderNamespace } from './reader-socket';
import { threadRoom } from './rooms';

/**
 * Live poll results. Votes arrive in bursts (a popular article's poll), so each poll's results are
 * broadcast at most once per window, after the first vote in it, with a tally read once for
 * everyone. The results are what a reader who has not voted may see (the poll's own visibility
 * rule); when that is nothing yet, the event still says the poll changed, and a reader who voted
 * reads GET /polls/:id for their own view. Not replayed: a reconnecting client reads the poll again.
 */
export function broadcastPollResults(nsp: ReaderNamespace, deps: Deps, windowMs = 500): () => void {
  const scheduled = new Map<string, NodeJS.Timeout>();

  async function publish(pollId: string): Promise<void> {
    const poll = await pollRepo.findPoll(deps.db, pollId);
    if (!poll) return;
    const view = await viewPoll(deps.db, poll, null);
    nsp.to(threadRoom(poll.thread_id)).emit('poll:results', {
      threadId: poll.thread_id,
      pollId: poll.id,
      state: view.state,
      results: view.results,
    });
  }

  const off = deps.bus.on('poll.voted', ({ pollId }) => {
    if (scheduled.has(pollId)) return;
    scheduled.set(
      pollId,
      setTimeout(() => {
        scheduled.delete(pollId);
        publish(pollId).catch((err: unknown) => deps.log.warn({ err: (err as Error).message, pollId }, 'poll results broadcast failed'));
      }, windowMs),
    );
  });

  return () => {
    off();
    for (const timer of scheduled.values()) clearTimeout(timer);
    scheduled.clear();
  };
}
