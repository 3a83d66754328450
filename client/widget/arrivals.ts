import type { PollResultsPayload } from '../../server/realtime/contract';
import type { createLiveClient } from '../shared/live';
import { CommentNode } from './comment';
import type { Ctx } from './context';
import { h } from './dom';
import type { CommentView, ThreadView } from './types';

/** What the live updates change on the page; the widget owns the list, the count and the polls. */
export interface Board {
  ctx: Ctx;
  /** Places comments that arrived while the reader was reading, where new comments go. */
  placeNew(views: CommentView[]): CommentNode[];
  count(delta: number): void;
  threadChanged(thread: ThreadView): void;
  pollResults(payload: PollResultsPayload): void;
  /** Loads the first page again (too much was missed); resolves with its seq. */
  reload(): Promise<number>;
}

/**
 * Live updates, loaded after first paint from their own module. New top-level comments wait behind
 * a "N new comments" bar, so the text under the reader's eyes never moves; replies to comments on the
 * page, edits and removals are applied in place.
 */
export function goLive(board: Board, since: number): { bar: HTMLButtonElement; claim(id: string): boolean; stop(): void } {
  const { ctx } = board;
  const waiting: CommentView[] = [];
  /** Comments counted on arrival: a reader's own, placed by their post, is not counted twice. */
  const counted = new Set<string>();
  const bar = h('button', { type: 'button', class: 'secondary newbar', onclick: () => show() });
  bar.hidden = true;
  const refresh = () => {
    bar.hidden = waiting.length === 0;
    bar.textContent = ctx.t.newComments(waiting.length);
  };
  const show = () => {
    const nodes = board.placeNew(waiting.splice(0));
    refresh();
    for (const n of nodes) n.el.classList.add('flash');
    nodes[0]?.focus();
  };

  const apply = (event: string, c: CommentView) => {
    const node = ctx.nodes.get(c.id);
    const queued = waiting.findIndex((w) => w.id === c.id);
    if (event === 'comment:created') {
      if (node instanceof CommentNode) return node.update(c);
      ctx.recognise?.(c);
      if (c.status === 'approved') {
        board.count(1);
        counted.add(c.id);
      }
      if (!c.parentId) {
        waiting.push(c);
        refresh();
        ctx.announce(bar.textContent!);
        return;
      }
      const parent = ctx.nodes.get(c.parentId);
      if (parent instanceof CommentNode) parent.addReply(c, true).el.classList.add('flash');
      else {
        const w = waiting.find((x) => x.id === c.parentId);
        if (w) w.replyCount += 1;
      }
      return;
    }
    // Unseen here: a removal, or a placeholder readers are sent (no author), was of a published comment.
    const prev = node ? node.view : waiting[queued];
    const wasPublic = prev ? prev.status === 'approved' : event === 'comment:removed' || (c.status === 'rejected' && !c.author.name);
    const isPublic = c.status === 'approved';
    if (prev || !isPublic) board.count(+isPublic - +wasPublic);
    if (queued >= 0) {
      if (event === 'comment:removed') waiting.splice(queued, 1);
      else waiting[queued] = c;
      refresh();
    }
    if (!(node instanceof CommentNode)) return;
    // Taken back to moderation or rejected: it leaves the page, unless replies hang on it.
    if (c.status !== 'approved' && c.status !== 'deleted' && !node.view.mine && node.view.replyCount === 0) {
      node.el.remove();
      ctx.nodes.delete(c.id);
    } else node.update(c);
  };

  let stopped = false;
  let close: () => void = () => void (stopped = true);
  const start = async () => {
    const mod = (await import(ctx.origin + __PARLEY_LIVE__)) as { createLiveClient: typeof createLiveClient };
    if (stopped) return;
    const live = mod.createLiveClient({ url: ctx.origin, token: ctx.store.token(), onTokenRejected: () => ctx.store.setToken(null) });
    const thread = live.follow(ctx.thread.id, {
      since,
      onEvent: ({ event, payload }) => (event === 'thread:updated' ? board.threadChanged(payload.thread) : apply(event, payload.comment)),
      onResync: () => {
        waiting.length = 0;
        refresh();
        void board.reload().then((seq) => thread.resync(seq));
      },
      onPollResults: (p) => board.pollResults(p),
    });
    close = () => live.close();
  };
  // After first paint: the comments are on screen before the socket library is even fetched.
  requestAnimationFrame(() => setTimeout(() => start().catch(() => undefined), 0));
  /** The reader's own comment may arrive live before the answer to their post: it is theirs to place. */
  const claim = (id: string) => {
    const i = waiting.findIndex((c) => c.id === id);
    if (i >= 0) waiting.splice(i, 1);
    refresh();
    return counted.has(id);
  };
  return { bar, claim, stop: () => close() };
}
