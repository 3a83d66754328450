import type { Ctx } from './context';
import { clear, h, safeHtml } from './dom';
import type { CommentPage, CommentView, ThreadView } from './types';

/**
 * Editors' picks and Q&A: a module of its own, loaded only when the thread has picks or is a Q&A.
 * - A "Picks (n)" tab beside the comments lists what staff featured, fetched again whenever the
 *   thread's count of picks changes (a `thread:updated` event), so it follows live.
 * - In the main list a picked comment carries a "Pick" badge; in a Q&A thread an answered question
 *   carries "Answered", moves above the open questions, and shows its answer first, marked "Answer".
 * The main list is decorated by watching it, so whatever changes a comment (a page, a live event)
 * gets the same marks without the main code knowing about them.
 */
const TEXT = {
  en: {
    comments: 'Comments',
    picks: (n: number) => `Picks (${n})`,
    views: 'Show',
    pick: 'Pick',
    none: 'No picks yet.',
    more: 'More picks',
    show: 'Show in the thread',
    answered: 'Answered',
    answer: 'Answer',
    qa: 'Questions and answers: ask your question below. The newsroom answers here, and answered questions come first.',
  },
  fr: {
    comments: 'Commentaires',
    picks: (n: number) => `Sélection (${n})`,
    views: 'Afficher',
    pick: 'Sélection',
    none: 'Aucun commentaire sélectionné pour l’instant.',
    more: 'Plus de commentaires sélectionnés',
    show: 'Voir dans la discussion',
    answered: 'Répondu',
    answer: 'Réponse',
    qa: 'Questions et réponses : posez votre question ci-dessous. La rédaction y répond ici, et les questions qui ont une réponse apparaissent en premier.',
  },
};

const CSS = `.tabs{display:flex;gap:.25rem;border-bottom:1px solid var(--border);margin:.5rem 0}.tabs button{background:none;border:0;border-bottom:3px solid transparent;padding:.4rem .7rem;color:var(--muted);font:inherit;font-weight:700;cursor:pointer}.tabs button[aria-selected=true]{color:var(--fg);border-bottom-color:var(--accent)}.show-picks>.list,.show-picks>.load-more,.show-picks>.newbar,.show-picks>.qa,.picks-view{display:none}.show-picks>.picks-view{display:block}.picks-view ol{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}.picks-view li{border-left:3px solid var(--accent);padding:.25rem .75rem}.badge.pick,.badge.answered{background:none;color:var(--accent);border:1px solid var(--accent)}.c.answer>.card{border-left:3px solid var(--accent);padding-left:.6rem}.qa{color:var(--muted);font-size:.92em}`;

const mounted = new WeakMap<HTMLElement, (thread: ThreadView) => void>();

/** Called with every fresh view of the thread; the first call for a list sets the module up there. */
export function picks(ctx: Ctx, list: HTMLElement, thread: ThreadView): void {
  let update = mounted.get(list);
  if (!update) mounted.set(list, (update = setUp(ctx, list)));
  update(thread);
}

function setUp(ctx: Ctx, list: HTMLElement): (thread: ThreadView) => void {
  const t = TEXT[ctx.lang];
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  ctx.root.adoptedStyleSheets = [...ctx.root.adoptedStyleSheets, sheet];
  const home = list.parentElement!;
  let format: ThreadView['format'] = 'comments';
  let count = -1;

  // The tabs: the comments, and the picks (their own panel, read when first shown).
  // Named, the list also tells the main code to keep calling this module.
  list.id = 'parley-list';
  const panel = h('div', { class: 'picks-view', id: 'parley-picks', role: 'tabpanel', 'aria-labelledby': 'parley-tab-picks', tabindex: -1 });
  const items = h('ol', { 'aria-label': t.picks(0) });
  const more = h('button', { type: 'button', class: 'secondary', onclick: () => void load(true) }, t.more);
  more.hidden = true;
  const empty = h('p', { class: 'note' }, t.none);
  panel.append(empty, items, more);
  const tab = (id: string, controls: string, label: string) =>
    h('button', { type: 'button', role: 'tab', id, 'aria-controls': controls, 'aria-selected': 'false', tabindex: -1, onclick: () => select(id === 'parley-tab-picks'), onkeydown: keys }, label);
  const commentsTab = tab('parley-tab-comments', list.id, t.comments);
  const picksTab = tab('parley-tab-picks', panel.id, t.picks(0));
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t.views }, commentsTab, picksTab);
  tabs.hidden = true;
  list.before(tabs);
  home.append(panel);
  let cursor: string | null = null;
  let loaded = false;

  function keys(e: Event): void {
    const key = (e as KeyboardEvent).key;
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(key)) return;
    e.preventDefault();
    const toPicks = key === 'End' || ((key === 'ArrowRight' || key === 'ArrowLeft') && e.target === commentsTab);
    select(toPicks);
    (toPicks ? picksTab : commentsTab).focus();
  }

  function select(showPicks: boolean): void {
    home.classList.toggle('show-picks', showPicks);
    commentsTab.setAttribute('aria-selected', String(!showPicks));
    picksTab.setAttribute('aria-selected', String(showPicks));
    commentsTab.tabIndex = showPicks ? -1 : 0;
    picksTab.tabIndex = showPicks ? 0 : -1;
    if (showPicks && !loaded) void load(false);
  }
  select(false);

  async function load(next: boolean): Promise<void> {
    const q = new URLSearchParams({ filter: 'featured', limit: '20' });
    if (next && cursor) q.set('cursor', cursor);
    try {
      const page = await ctx.api<CommentPage>('GET', `/threads/${ctx.thread.id}/comments?${q}`);
      if (!next) clear(items);
      loaded = true;
      for (const v of page.items) items.append(card(v));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = items.children.length > 0;
    } catch (err) {
      empty.hidden = false;
      empty.textContent = (err as Error).message;
    }
  }

  function card(v: CommentView): HTMLElement {
    const name = !v.author.name || v.author.name === 'Anonymous' ? ctx.t.anonymous : v.author.name;
    const badge = v.author.badge ? (ctx.t.badges[v.author.badge] ?? v.author.badge) : null;
    const body = h('div', { class: 'body' });
    body.append(safeHtml(v.bodyHtml));
    return h(
      'li',
      { class: 'pick-item', 'data-id': v.id },
      h(
        'p',
        { class: 'meta' },
        h('span', { class: 'author' }, name),
        ' ',
        badge && h('span', { class: `badge badge-${v.author.badge}` }, badge),
        ' ',
        h('time', { class: 'time', datetime: v.createdAt }, new Date(v.createdAt).toLocaleDateString(ctx.lang)),
      ),
      body,
      h('a', { class: 'link', href: `#comment-${v.id}`, onclick: () => select(false) }, t.show),
    );
  }

  // The marks in the main list, put back whenever a comment is drawn again.
  const mark = (node: { el: HTMLElement }, cls: string, text: string, on: boolean) => {
    const meta = node.el.querySelector(':scope>.card .meta');
    const have = meta?.querySelector(`:scope>.badge.${cls}`);
    if (on && meta && !have) meta.querySelector(':scope>.author')?.after(' ', h('span', { class: `badge ${cls}` }, text));
    if (!on) have?.remove();
  };
  let queued = false;
  function decorate(): void {
    queued = false;
    let firstOpen: Element | null = null;
    const answers = new Set<string>();
    for (const li of Array.from(list.children)) {
      const node = ctx.nodes.get(li.id.slice(8));
      if (!node) continue;
      const answered = format === 'qa' && !!node.view.answerId && node.view.status === 'approved';
      mark(node, 'answered', t.answered, answered);
      if (!answered) firstOpen ??= li;
      else if (firstOpen) list.insertBefore(li, firstOpen);
      if (answered) answers.add(node.view.answerId!);
      const answer = answered ? ctx.nodes.get(node.view.answerId!) : undefined;
      if (answer && !answer.el.classList.contains('answer')) {
        answer.el.classList.add('answer');
        answer.el.parentElement?.prepend(answer.el);
      }
    }
    for (const node of ctx.nodes.values()) {
      mark(node, 'pick', t.pick, node.view.featured && node.view.status === 'approved');
      // An answer taken down no longer answers: its mark goes.
      const isAnswer = answers.has(node.view.id);
      node.el.classList.toggle('answer', isAnswer);
      mark(node, 'answer', t.answer, isAnswer);
    }
  }
  const later = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(decorate);
  };
  new MutationObserver(later).observe(list, { childList: true, subtree: true });
  const note = h('p', { class: 'qa', role: 'note' }, t.qa);
  window.addEventListener('hashchange', () => select(false));

  return (thread) => {
    if (thread.format !== format) {
      format = thread.format;
      if (format === 'qa') tabs.before(note);
      else note.remove();
    }
    if (thread.picks !== count) {
      count = thread.picks;
      picksTab.textContent = t.picks(count);
      items.setAttribute('aria-label', t.picks(count));
      if (count > 0) tabs.hidden = false;
      if (loaded) void load(false);
    }
    later();
  };
}
