import type { Ctx } from '../context';
import type { QueueItem, QueueName } from '../types';
import { type ItemCommand, type ItemView, renderItem } from './item';

/**
 * The items on screen, in order, with the cursor (the one item in the tab order, highlighted) and
 * the selection. Inserting or removing keeps the cursor on the same comment where it can.
 */
export interface QueueList {
  readonly items: QueueItem[];
  readonly selected: Set<string>;
  /** Comments someone else decided meanwhile: left in place, marked, skipped by bulk actions. */
  readonly gone: Set<string>;
  cursor: number;
  has(id: string): boolean;
  indexOf(id: string): number;
  current(): QueueItem | undefined;
  view(id: string): ItemView | undefined;
  insert(item: QueueItem, index: number): void;
  remove(id: string): { item: QueueItem; index: number } | null;
  setCursor(index: number, focus: boolean): void;
  /** Whether keyboard focus is inside the list. */
  focused(): boolean;
  paint(): void;
}

export function createQueueList(
  ctx: Ctx,
  queue: QueueName,
  element: HTMLOListElement,
  run: (command: ItemCommand, item: QueueItem) => void,
  onChange: () => void,
): QueueList {
  const items: QueueItem[] = [];
  const views = new Map<string, ItemView>();
  const selected = new Set<string>();
  const gone = new Set<string>();

  const list: QueueList = {
    items,
    selected,
    gone,
    cursor: -1,
    has: (id) => views.has(id),
    indexOf: (id) => items.findIndex((i) => i.comment.id === id),
    current: () => (list.cursor >= 0 ? items[list.cursor] : undefined),
    view: (id) => views.get(id),
    focused: () => element.contains(document.activeElement),

    insert(item, index) {
      const id = item.comment.id;
      if (views.has(id)) return;
      const v = renderItem(ctx, queue, item, (command) => run(command, item));
      // Clicking or tabbing into an item puts the cursor there.
      v.article.addEventListener('focusin', () => {
        const i = list.indexOf(id);
        if (i >= 0 && i !== list.cursor) {
          list.cursor = i;
          onChange();
        }
      });
      views.set(id, v);
      const at = Math.max(0, Math.min(index, items.length));
      const before = items[at];
      items.splice(at, 0, item);
      element.insertBefore(v.li, before ? views.get(before.comment.id)!.li : null);
    },

    remove(id) {
      const index = list.indexOf(id);
      if (index < 0) return null;
      const [item] = items.splice(index, 1);
      views.get(id)!.li.remove();
      views.delete(id);
      selected.delete(id);
      if (index < list.cursor) list.cursor -= 1;
      if (list.cursor >= items.length) list.cursor = items.length - 1;
      return { item: item!, index };
    },

    setCursor(index, focus) {
      list.cursor = items.length ? Math.max(0, Math.min(index, items.length - 1)) : -1;
      onChange();
      const item = list.current();
      if (focus && item) views.get(item.comment.id)!.article.focus();
    },

    paint() {
      items.forEach((item, i) => {
        const v = views.get(item.comment.id)!;
        v.article.tabIndex = i === list.cursor ? 0 : -1;
        v.li.classList.toggle('current', i === list.cursor);
        v.checkbox.checked = selected.has(item.comment.id);
      });
    },
  };
  return list;
}
