import { createApi } from './api';
import { goLive } from './arrivals';
import { CommentNode } from './comment';
import type { Ctx, CommentNodeLike } from './context';
import { clear, h } from './dom';
import { CommentForm } from './form';
import { pickLang, type Strings, strings } from './i18n';
import { revealPermalink } from './permalink';
import { PollBox, type PollView } from './poll';
import { createStore } from './store';
import css from './styles.css';
import type { CommentPage, CommentView, Sort, ThreadView } from './types';
import type { openYourData } from './yourdata';
import type { SsoConfig, SsoModule } from './sso';
import type { notifyChoice } from './notify';

/**
 * Styles go in as a constructed stylesheet: they stay inside the shadow root, and a publisher's
 * strict Content-Security-Policy (no 'unsafe-inline' styles) does not block them.
 */
function applyStyles(root: ShadowRoot): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', {}, css));
  }
}

const PAGE = 20;

/**
 * Renders the widget into `host`; resolves with what stops it (its live connection). `remount`
 * renders it again from scratch (after a sign-in or sign-out).
 */
export async function mount(host: HTMLElement, origin: string, remount: () => void = () => void mount(host, origin)): Promise<() => void> {
  const lang = pickLang(host);
  const t = strings(lang);
  const site = host.getAttribute('data-site') ?? '';
  const key = host.getAttribute('data-key') || location.pathname;
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  applyStyles(root);
  clear(root as unknown as Element);

  const theme = host.getAttribute('data-theme');
  const status = h('div', { class: 'sr', role: 'status', 'aria-live': 'polite' });
  const frame = h('section', { class: `parley theme-${theme === 'light' || theme === 'dark' ? theme : 'auto'}`, lang, 'aria-label': t.comments }, status);
  const body = h('div', { class: 'loading' }, t.loading);
  frame.append(body);
  root.append(frame);

  const store = createStore(origin);
  const api = createApi(origin, store, () => t.offline);
  let announceTimer: ReturnType<typeof setTimeout> | undefined;
  const announce = (message: string) => {
    // Clearing first makes a repeated message announced again.
    status.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => (status.textContent = message), 50);
  };

  let thread: ThreadView;
  let sso: SsoConfig | undefined;
  let mail: true | undefined;
  try {
    const canonical = document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.href;
    const url = host.getAttribute('data-url') || canonical || location.href.split('#')[0]!;
    const title = (host.getAttribute('data-title') || document.title || '').slice(0, 300);
    ({ thread, sso, mail } = await api<{ thread: ThreadView; sso?: SsoConfig; mail?: true }>('POST', '/threads/resolve', {
      site,
      key,
      ...(/^https?:/.test(url) ? { url } : {}),
      ...(title ? { title } : {}),
    }));
  } catch (err) {
    showFailure(body, t, (err as Error).message, remount);
    return () => undefined;
  }

  const ctx: Ctx = {
    t,
    lang,
    api,
    store,
    origin,
    root,
    thread,
    nodes: new Map(),
    announce,
    replyTo: (node, quote) => form?.attach(node, quote),
    posted: (comment, parent) => placePosted(comment, parent, live?.claim(comment.id) ?? false),
  };
  let live: ReturnType<typeof goLive> | undefined;
  // Sign-in through the site's accounts: its own module, fetched only when the site or page uses it.
  const signedIn =
    sso || host.hasAttribute('data-sso-token') || host.hasAttribute('data-sso-code')
      ? await import(origin + __PARLEY_SSO__).then((m: SsoModule) => m.signIn(ctx, host, site, sso, remount)).catch(() => null)
      : null;
  // Being told of new comments by email: its own module, fetched only when the server sends mail.
  if (mail) ctx.notify = await import(origin + __PARLEY_NOTIFY__).then((m: { notifyChoice: typeof notifyChoice }) => m.notifyChoice(ctx), () => undefined);

  let sort: Sort = (['oldest', 'newest', 'top'] as const).find((s) => s === host.getAttribute('data-sort')) ?? 'oldest';
  let cursor: string | null = null;
  /** The thread's seq when the first page was read: live updates resume from there. */
  let seq = thread.seq;
  let count = thread.commentCount;

  const heading = h('h2', { class: 'count' });
  const setCount = (n: number) => {
    count = n;
    heading.textContent = t.count(n);
  };
  setCount(count);
  const select = h(
    'select',
    { id: 'parley-sort', onchange: () => void changeSort(select.value as Sort) },
    (['oldest', 'newest', 'top'] as const).map((s) => h('option', { value: s, selected: s === sort }, t[s])),
  );
  const toolbar = h('div', { class: 'toolbar' }, heading, h('div', { class: 'sort' }, h('label', { for: 'parley-sort' }, t.sortBy), select));
  const formHome = h('div', { class: 'form-home' });
  const list = h('ol', { class: 'list', 'aria-label': t.comments, 'aria-busy': 'true' });
  const listError = h('div', { class: 'alert', role: 'alert' });
  const more = h('button', { type: 'button', class: 'secondary load-more', onclick: () => void loadPage() }, t.loadMore);
  more.hidden = true;

  const pollsHome = h('div', { class: 'polls' });
  const polls = new Map<string, PollBox>();
  clear(body);
  body.className = 'body-wrap';
  let form: CommentForm | null = null;
  const closedNote = h('p', { class: 'note closed' }, t.closed);
  /** Opens or closes the form as the thread is; a closed thread keeps what was typed for a reopening. */
  const applyState = (state: ThreadView['state']) => {
    const open = state === 'open';
    ctx.thread = { ...ctx.thread, state };
    body.classList.toggle('is-closed', !open);
    if (open && !form) form = new CommentForm(ctx, formHome);
    for (const child of Array.from(formHome.children)) if (child !== closedNote) (child as HTMLElement).hidden = !open;
    if (open) closedNote.remove();
    else {
      if (form?.replyingTo) form.cancelReply();
      formHome.append(closedNote);
    }
  };
  const reload = async () => {
    cursor = null;
    if (form?.replyingTo) form.cancelReply();
    clear(list);
    ctx.nodes.clear();
    await loadPage();
    return seq;
  };
  const erased = () => {
    form?.forget();
    void reload();
  };
  // "Your data": the button here, the panel's code fetched on the first click (yourdata.ts).
  const dataPanel = h('section', { class: 'yourdata', 'aria-label': t.yourData, hidden: true });
  const dataToggle: HTMLElement = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', onclick: () => void import(origin + __PARLEY_YOURDATA__).then((m: { openYourData: typeof openYourData }) => m.openYourData(ctx, { panel: dataPanel, toggle: dataToggle, erased }, dataPanel.hidden)) }, t.yourData);
  body.append(pollsHome, toolbar, formHome, list, listError, more, h('div', { class: 'datahome' }, dataToggle, dataPanel));
  applyState(thread.state);
  (form as CommentForm | null)?.setSlow(thread.slowMode?.seconds ?? 0);
  signedIn?.(formHome, (form as CommentForm | null)?.el ?? null);

  function addTop(view: CommentView & { replies?: CommentPage['items'][number]['replies'] }, atStart = false): CommentNode {
    const existing = ctx.nodes.get(view.id);
    if (existing instanceof CommentNode) {
      existing.update(view);
      return existing;
    }
    const node = new CommentNode(ctx, view);
    if (atStart) list.prepend(node.el);
    else list.append(node.el);
    if (view.replies) node.setReplies(view.replies);
    return node;
  }

  function placePosted(comment: CommentView, parent: CommentNodeLike | null, counted: boolean): void {
    // Beyond the depth cap the server attaches a reply beside its parent: follow where it went.
    const home = comment.parentId ? ctx.nodes.get(comment.parentId) : null;
    const node = home instanceof CommentNode ? home.addReply(comment, true) : parent instanceof CommentNode ? parent.addReply(comment, true) : addTop(comment, true);
    if (comment.status === 'approved' && !counted) setCount(count + 1);
    node.el.classList.add('flash');
    node.el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    node.focus();
  }

  let loading = false;
  async function loadPage(): Promise<void> {
    if (loading) return;
    loading = true;
    more.disabled = true;
    clear(listError);
    list.setAttribute('aria-busy', 'true');
    try {
      const q = new URLSearchParams({ sort, limit: String(PAGE) });
      if (cursor) q.set('cursor', cursor);
      const page = await api<CommentPage>('GET', `/threads/${thread.id}/comments?${q}`);
      if (!cursor) seq = page.seq;
      const firstNew = list.children.length;
      for (const item of page.items) addTop(item);
      cursor = page.nextCursor;
      more.hidden = !cursor;
      if (firstNew > 0) (list.children[firstNew] as HTMLElement | undefined)?.querySelector<HTMLElement>('.card')?.focus({ preventScroll: true });
    } catch (err) {
      showFailure(listError, t, (err as Error).message, () => void loadPage());
    } finally {
      loading = false;
      more.disabled = false;
      list.removeAttribute('aria-busy');
    }
  }

  async function changeSort(next: Sort): Promise<void> {
    sort = next;
    await reload();
  }

  /** The thread as this reader sees it: polls with their own vote, the latest count, its schedule. */
  async function loadThread(): Promise<void> {
    try {
      const fresh = (await api<{ thread: ThreadView & { polls: PollView[] } }>('GET', `/threads/${thread.id}`)).thread;
      setCount(fresh.commentCount);
      // Picks and Q&A: their own module, fetched once the thread has picks or is a Q&A (it then names the list).
      if (fresh.picks || fresh.format == 'qa' || list.id) (await import(origin + __PARLEY_PICKS__) as typeof import('./picks')).picks(ctx, list, fresh);
      // A close or reopen time: its own module, fetched only for a thread that has one (it then names the form's home).
      if (fresh.closesAt || fresh.reopensAt || formHome.id) (await import(origin + __PARLEY_SCHEDULE__) as typeof import('./when')).s(ctx, fresh, applyState);
      for (const poll of fresh.polls) {
        const box = polls.get(poll.id);
        if (box) box.update(poll, false);
        else {
          const created = new PollBox(ctx, poll);
          polls.set(poll.id, created);
          pollsHome.append(created.el);
        }
      }
    } catch {
      /* the poll is an extra: the comments still show, and a retry happens on the next visit */
    }
  }

  await Promise.all([loadPage(), loadThread()]);
  live = goLive(
    {
      ctx,
      placeNew(views) {
        // Oldest first with nothing more to load: new comments belong at the end; otherwise on top.
        const atEnd = sort === 'oldest' && !cursor;
        const nodes = (atEnd ? views : [...views].reverse()).map((v) => addTop(v, !atEnd));
        return atEnd ? nodes : nodes.reverse();
      },
      count: (delta) => setCount(Math.max(0, count + delta)),
      threadChanged: (fresh) => {
        setCount(fresh.commentCount);
        if (fresh.state !== ctx.thread.state) {
          applyState(fresh.state);
          ctx.announce(fresh.state === 'open' ? t.reopened : t.closed);
        }
        const slow = fresh.slowMode?.seconds ?? 0;
        if (slow !== (ctx.thread.slowMode?.seconds ?? 0)) {
          ctx.thread = { ...ctx.thread, slowMode: fresh.slowMode };
          form?.setSlow(slow);
          if (slow) ctx.announce(t.slowMode(slow));
        }
        void loadThread();
      },
      async pollResults(p) {
        const box = polls.get(p.pollId);
        if (!box) return;
        // null: the results are not public (yet); this reader's own view may show them.
        if (p.results) box.update({ ...box.view, state: p.state, results: p.results });
        else box.update((await api<{ poll: PollView }>('GET', `/polls/${p.pollId}`)).poll, false);
      },
      reload,
    },
    seq,
  );
  list.before(live.bar);
  const permalink = () => void revealPermalink(ctx, addTop, (message) => showFailure(listError, t, message, permalink));
  permalink();
  window.addEventListener('hashchange', permalink);
  return () => {
    live?.stop();
    window.removeEventListener('hashchange', permalink);
  };
}

function showFailure(box: HTMLElement, t: Strings, detail: string, retry: () => void): void {
  clear(box);
  box.className = 'alert';
  box.setAttribute('role', 'alert');
  box.append(h('p', {}, h('strong', {}, t.loadFailed), ' ', detail), h('button', { type: 'button', class: 'secondary', onclick: retry }, t.retry));
}

