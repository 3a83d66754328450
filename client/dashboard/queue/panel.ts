import { ApiError, qs } from '../api';
import { type Panel, who } from '../context';
import { replyBox } from '../reply';
import type { Action, Counts, Page, QueueItem, QueueName } from '../types';
import { banDialog } from './ban-dialog';
import { belongs, decideMany, decideOne, toggleFeature } from './decide';
import { historyView } from './history';
import type { ItemCommand } from './item';
import { type QueueKey, queueKeys } from './keys';
import { createQueueList } from './list';
import { createQueueView } from './view';

const QUEUES: QueueName[] = ['pending', 'flagged', 'spam', 'rejected'];
const PAGE = 25;

/**
 * A queue: its items with a cursor and a selection, and live arrivals that wait in a bar above the
 * list rather than pushing the item under the cursor down the page. Single decisions leave the
 * list at once (and come back if the server refuses), so a moderator can press `a` as fast as
 * they read.
 */
export const queuePanel: Panel = (ctx, mount, arg) => {
  // `#queue/pending:risk` lists the queue highest risk first.
  const [name, order] = (arg ?? '').split(':');
  const queue = (QUEUES as string[]).includes(name ?? '') ? (name as QueueName) : 'pending';
  const sort = order === 'risk' ? 'risk' : 'newest';
  const { t } = ctx;
  const view = createQueueView(ctx, queue, QUEUES, sort, {
    bulk: (action) => void bulk(action),
    selectAll,
    clearSelection,
    showArrivals: () => void showArrivals(),
    loadMore: () => void load(),
  });
  mount.append(view.root);
  const list = createQueueList(ctx, queue, view.list, (command, item) => void run(command, item), refresh);
  const { items, selected, gone } = list;

  const arrivals = new Set<string>();
  /** Decisions of ours still on their way: their live echoes are not "someone else". */
  const inFlight = new Set<string>();
  let nextCursor: string | null = null;
  let disposed = false;

  const authorOf = (item: QueueItem) => (item.member ? item.member.name : who(ctx, item.commenter?.name ?? item.comment.author.name));

  function refresh(): void {
    view.setEmpty(items.length === 0 && nextCursor === null);
    view.setMore(nextCursor !== null);
    view.setSelection(selected.size);
    view.setArrivals(arrivals.size);
    list.paint();
  }

  async function load(): Promise<void> {
    try {
      const page = await ctx.api.get<Page<QueueItem>>(`/moderation/comments${qs({ site: ctx.site.id, queue, limit: PAGE, cursor: nextCursor, sort })}`);
      if (disposed) return;
      for (const item of page.items) list.insert(item, items.length);
      nextCursor = page.nextCursor;
      if (list.cursor < 0 && items.length) list.cursor = 0;
      refresh();
    } catch (err) {
      ctx.fail(err);
    }
  }

  function putBack(item: QueueItem, index: number): void {
    if (disposed) return;
    const focused = list.focused();
    list.insert(item, index);
    if (index <= list.cursor) list.cursor += 1;
    list.setCursor(list.cursor, focused);
  }

  /** Approve, reject, spam or restore one item: it leaves at once; a refusal puts it back. */
  async function decide(item: QueueItem, action: Action): Promise<void> {
    const id = item.comment.id;
    const removed = list.remove(id);
    if (!removed) return;
    inFlight.add(id);
    list.setCursor(Math.max(list.cursor, 0), true);
    try {
      const comment = await decideOne(ctx, item.comment, action);
      ctx.status.say(t.done[action]!);
      if (belongs(queue, comment)) putBack({ ...item, comment }, removed.index);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) ctx.status.fail(`${t.decidedElsewhere} ${err.message}`);
      else {
        ctx.fail(err);
        putBack(item, removed.index);
      }
    } finally {
      inFlight.delete(id);
    }
  }

  async function feature(item: QueueItem): Promise<void> {
    const id = item.comment.id;
    inFlight.add(id);
    try {
      const comment = await toggleFeature(ctx, item.comment);
      ctx.status.say(t.done[comment.featured ? 'feature' : 'unfeature']!);
      const at = list.indexOf(id);
      list.remove(id);
      if (belongs(queue, comment) && at >= 0) list.insert({ ...item, comment }, at);
      list.setCursor(Math.max(list.cursor, 0), true);
    } catch (err) {
      ctx.fail(err);
    } finally {
      inFlight.delete(id);
    }
  }

  async function bulk(action: Action): Promise<void> {
    const ids = items.map((i) => i.comment.id).filter((id) => selected.has(id) && !gone.has(id));
    if (!ids.length) return;
    ids.forEach((id) => inFlight.add(id));
    try {
      const results = await decideMany(ctx, ids, action);
      let ok = 0;
      for (const r of results) {
        if (!r.ok || !r.comment) continue;
        ok += 1;
        const at = list.indexOf(r.id);
        const item = items[at];
        list.remove(r.id);
        if (item && belongs(queue, r.comment)) list.insert({ ...item, comment: r.comment }, at);
      }
      selected.clear();
      list.setCursor(Math.max(list.cursor, 0), false);
      ctx.status.say(t.bulkDone(ok, results.length - ok));
    } catch (err) {
      ctx.fail(err);
    } finally {
      ids.forEach((id) => inFlight.delete(id));
    }
  }

  async function ban(item: QueueItem): Promise<void> {
    const outcome = await banDialog(ctx, item, authorOf(item));
    if (outcome) {
      if (queue === 'pending') for (const id of outcome.rejected) list.remove(id);
      if (item.commenter) item.commenter.banned = true;
    }
    list.setCursor(list.cursor, true);
  }

  async function toggleHistory(item: QueueItem): Promise<void> {
    const v = list.view(item.comment.id);
    if (!v) return;
    const open = v.extra.querySelector('.history');
    if (open) {
      open.remove();
      return;
    }
    try {
      v.extra.prepend(await historyView(ctx, item));
    } catch (err) {
      ctx.fail(err);
    }
  }

  function reply(item: QueueItem): void {
    const v = list.view(item.comment.id);
    if (!v || v.extra.querySelector('form.reply')) return;
    v.extra.append(replyBox(ctx, { threadId: item.comment.threadId, parentId: item.comment.id, parentAuthor: authorOf(item) }, () => v.article.focus()));
  }

  function toggleSelect(item: QueueItem): void {
    const id = item.comment.id;
    if (gone.has(id)) return;
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    refresh();
  }

  function selectAll(): void {
    for (const i of items) if (!gone.has(i.comment.id)) selected.add(i.comment.id);
    refresh();
  }

  function clearSelection(): void {
    selected.clear();
    refresh();
  }

  async function run(command: ItemCommand, item: QueueItem): Promise<void> {
    if (gone.has(item.comment.id) && command !== 'history') return;
    const at = list.indexOf(item.comment.id);
    if (at >= 0 && at !== list.cursor) list.setCursor(at, false);
    switch (command) {
      case 'approve':
      case 'reject':
      case 'spam':
      case 'restore':
        return decide(item, command);
      case 'feature':
        return feature(item);
      case 'ban':
        return ban(item);
      case 'reply':
        return reply(item);
      case 'history':
        return toggleHistory(item);
      case 'select':
        return toggleSelect(item);
    }
  }

  /** a, r and s act on the selection when there is one, else on the item under the cursor. */
  function onKey(key: QueueKey): void {
    const item = list.current();
    if (key === 'next' || key === 'prev') {
      // The first j only brings focus to the cursor; after that it moves.
      if (item) list.setCursor(list.focused() ? list.cursor + (key === 'next' ? 1 : -1) : list.cursor, true);
      return;
    }
    if ((key === 'approve' || key === 'reject' || key === 'spam') && selected.size) {
      void bulk(key);
      return;
    }
    if (!item) return;
    const command: ItemCommand = key === 'approve' && (queue === 'spam' || queue === 'rejected') ? 'restore' : key;
    void run(command, item);
  }

  /** Arrivals wait in the bar; showing them puts them on top and the cursor on the first. */
  async function showArrivals(focus = true): Promise<void> {
    const ids = [...arrivals];
    arrivals.clear();
    const fetched = await Promise.all(ids.map((id) => ctx.api.get<QueueItem>(`/moderation/comments/${id}`).catch(() => null)));
    if (disposed) return;
    const fresh = fetched
      .filter((i): i is QueueItem => !!i && belongs(queue, i.comment) && !list.has(i.comment.id))
      .sort((a, b) => a.comment.createdAt.localeCompare(b.comment.createdAt));
    for (const item of fresh) list.insert(item, 0);
    if (focus && fresh.length) list.setCursor(0, true);
    else list.setCursor(list.cursor < 0 ? 0 : list.cursor + fresh.length, false);
  }

  let offline = false;
  /**
   * Back online: comments that arrived while the stream was down join the "N new" bar, as live
   * arrivals do (the newest page of the queue is read again; nothing moves under the cursor).
   */
  async function catchUp(): Promise<void> {
    try {
      const page = await ctx.api.get<Page<QueueItem>>(`/moderation/comments${qs({ site: ctx.site.id, queue, limit: PAGE })}`);
      if (disposed) return;
      let added = 0;
      for (const item of page.items) {
        const id = item.comment.id;
        if (list.has(id) || gone.has(id) || arrivals.has(id)) continue;
        arrivals.add(id);
        added++;
      }
      if (added === 0) return;
      ctx.status.say(t.arrived(arrivals.size));
      if (items.length === 0) void showArrivals(false);
      else refresh();
    } catch (err) {
      ctx.fail(err);
    }
  }

  /** This queue's count as last shown, and the arrivals announced since: a count that grew by more missed some. */
  let shown: number | null = null;
  let announced = 0;
  /**
   * The site's queue version as far as our events go. Every queue change carries the next one: an
   * event that skips one, or counts ahead of it, mean an event never reached us (SPEC §13).
   */
  let version: number | null = null;
  function heard(next: number | undefined, fromCounts: boolean): void {
    if (next === undefined) return;
    const missed = version !== null && (fromCounts ? next > version : next > version + 1);
    version = Math.max(version ?? next, next);
    if (missed) void catchUp();
  }
  ctx.live.setHandlers({
    onCounts(p) {
      view.setCounts(p.counts as Counts);
      const now = (p.counts as Counts)[queue] ?? 0;
      const grew = shown !== null && now - shown > announced;
      shown = now;
      announced = 0;
      if (grew) void catchUp();
      else heard(p.version, true);
      version = Math.max(version ?? p.version, p.version);
    },
    onAdded(p) {
      heard(p.version, false);
      if (p.queue === queue) announced++;
      if (p.queue !== queue || list.has(p.commentId)) return;
      arrivals.add(p.commentId);
      ctx.status.say(t.arrived(arrivals.size));
      // An empty list has nothing to push down: show the arrival straight away.
      if (items.length === 0) void showArrivals(false);
      else refresh();
    },
    onRemoved(p) {
      heard(p.version, false);
      if (p.queue !== queue) return;
      if (arrivals.delete(p.commentId)) refresh();
      const v = list.view(p.commentId);
      if (!v || inFlight.has(p.commentId) || gone.has(p.commentId)) return;
      gone.add(p.commentId);
      selected.delete(p.commentId);
      v.markGone(t.decidedElsewhere);
      refresh();
    },
    onStatus(live) {
      view.setLive(live);
      if (!live) offline = true;
      else if (offline) {
        offline = false;
        void catchUp();
      }
    },
  });
  ctx.live.join(ctx.site.id);
  ctx.api.get<{ counts: Counts }>(`/moderation/queues${qs({ site: ctx.site.id })}`).then((r) => !disposed && view.setCounts(r.counts), ctx.fail);
  void load();
  const offKeys = queueKeys(onKey);

  return () => {
    disposed = true;
    offKeys();
    ctx.live.setHandlers({});
  };
};
