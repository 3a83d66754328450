import type { Ctx } from '../context';
import { h } from '../dom';
import type { Action, Counts, QueueName } from '../types';

export interface QueueViewHandlers {
  bulk(action: Action): void;
  selectAll(): void;
  clearSelection(): void;
  showArrivals(): void;
  loadMore(): void;
}

const BULK: Record<QueueName, Action[]> = {
  pending: ['approve', 'reject', 'spam'],
  flagged: ['approve', 'reject', 'spam'],
  spam: ['restore', 'reject'],
  rejected: ['restore', 'spam'],
};

/**
 * The queue's fixed parts: the queues with their live counts, the arrivals bar (its room is kept
 * even when empty, so nothing below moves when a comment arrives), the bulk actions and the list.
 */
export function createQueueView(ctx: Ctx, queue: QueueName, queues: QueueName[], sort: 'newest' | 'risk', on: QueueViewHandlers) {
  const { t } = ctx;
  const countEls = new Map<QueueName, HTMLElement>();
  const nav = h(
    'nav',
    { 'aria-label': t.queueNav, class: 'queues' },
    h(
      'ul',
      {},
      queues.map((q) => {
        const count = h('span', { class: 'count' }, '…');
        countEls.set(q, count);
        return h('li', {}, h('a', { href: `#queue/${q}`, 'aria-current': q === queue ? 'page' : null }, t.queue[q], ' ', count));
      }),
    ),
  );

  const arrivals = h('div', { class: 'arrivals' });
  const liveNote = h('p', { class: 'live-note', hidden: true }, t.liveOff);
  const selectedText = h('span', { class: 'selected-count' }, t.selected(0));
  const bulkButtons = BULK[queue].map((action) => {
    const b = h('button', { type: 'button', disabled: true }, t[action as 'approve']);
    b.addEventListener('click', () => on.bulk(action));
    return b;
  });
  const selectAll = h('button', { type: 'button' }, t.selectAll);
  selectAll.addEventListener('click', on.selectAll);
  const clearSel = h('button', { type: 'button', disabled: true }, t.clearSelection);
  clearSel.addEventListener('click', on.clearSelection);
  const bulk = h('div', { class: 'bulk', role: 'group', 'aria-label': t.bulkLabel }, selectedText, bulkButtons, selectAll, clearSel);

  const sortLink = h('a', { class: 'sort', href: sort === 'risk' ? `#queue/${queue}` : `#queue/${queue}:risk` }, sort === 'risk' ? t.sortNewest : t.sortByRisk);
  const list = h('ol', { class: 'items', 'aria-label': t.queue[queue] });
  const empty = h('p', { class: 'empty', hidden: true }, t.empty);
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t.loadMore);
  more.addEventListener('click', on.loadMore);

  const root = h(
    'section',
    { class: 'queue', 'aria-labelledby': 'queue-title' },
    h('h1', { id: 'queue-title' }, t.queueTitle(t.queue[queue]!)),
    nav,
    liveNote,
    h('p', { class: 'sorting' }, sortLink),
    bulk,
    arrivals,
    list,
    empty,
    more,
  );

  return {
    root,
    list,
    setCounts(counts: Counts) {
      for (const [q, el] of countEls) el.textContent = String(counts[q] ?? 0);
    },
    setSelection(n: number) {
      selectedText.textContent = t.selected(n);
      for (const b of bulkButtons) b.disabled = n === 0;
      clearSel.disabled = n === 0;
    },
    setArrivals(n: number) {
      arrivals.replaceChildren();
      if (!n) return;
      const b = h('button', { type: 'button', class: 'arrivals-bar' }, t.newItems(n));
      b.addEventListener('click', on.showArrivals);
      arrivals.append(b);
    },
    setEmpty(isEmpty: boolean) {
      empty.hidden = !isEmpty;
    },
    setMore(hasMore: boolean) {
      more.hidden = !hasMore;
    },
    setLive(live: boolean) {
      liveNote.hidden = live;
    },
  };
}
