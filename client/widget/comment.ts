import { type Actionable, deleteForm, editForm, flagForm, likeButton } from './actions';
import type { Ctx, CommentNodeLike } from './context';
import { clear, h, safeHtml, safeUrl } from './dom';
import { fullTime, relativeTime } from './i18n';
import type { CommentView, Replies } from './types';

/** A hue from the name, so each author gets a steady avatar colour without loading any image. */
function hue(name: string): number {
  let x = 0;
  for (let i = 0; i < name.length; i++) x = (x * 31 + name.charCodeAt(i)) % 360;
  return x;
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => Array.from(w)[0]!.toUpperCase()).join('') || '?';
}

/** The server calls an author without a name "Anonymous"; the widget says it in the reader's language. */
export function displayName(v: CommentView, anonymous: string): string {
  return !v.author.name || v.author.name === 'Anonymous' ? anonymous : v.author.name;
}

export function permalink(id: string): string {
  return `${location.href.split('#')[0]}#comment-${id}`;
}

/**
 * One comment and its replies. The list item holds the comment's card, a slot where the reply form
 * opens, the replies, and the button that loads more of them.
 */
export class CommentNode implements CommentNodeLike, Actionable {
  readonly el: HTMLLIElement;
  readonly slot: HTMLElement;
  private readonly card: HTMLElement;
  private readonly replies: HTMLOListElement;
  private readonly more: HTMLButtonElement;
  private readonly moreError: HTMLElement;
  private total = 0;
  private loaded = 0;
  private cursor: string | null = null;
  private loading = false;
  private actions: HTMLElement | null = null;
  private opener = '';

  constructor(
    private readonly ctx: Ctx,
    public view: CommentView,
  ) {
    this.card = h('article', { class: 'card', tabindex: -1 });
    this.slot = h('div', { class: 'slot' });
    this.replies = h('ol', { class: 'replies' });
    this.more = h('button', { type: 'button', class: 'link more', onclick: () => void this.loadReplies() });
    this.moreError = h('div', { class: 'alert more', role: 'alert' });
    this.el = h('li', { class: 'c', id: `comment-${view.id}`, 'data-depth': view.depth }, this.card, this.slot, this.replies, this.more, this.moreError);
    ctx.nodes.set(view.id, this);
    this.render();
    this.setReplies({ items: [], total: view.replyCount, nextCursor: null });
  }

  /**
   * A fresh view from the server or a live event. A broadcast is the same for every reader, so what
   * only this reader knows (it is theirs, they like or reported it, their shown vote) is kept.
   */
  update(view: CommentView): void {
    const { mine, reacted, flagged, editableUntil, bodySrc, vote } = this.view;
    this.view = { ...{ mine, reacted, flagged, editableUntil, bodySrc, vote }, ...view };
    if (this.view.status === 'deleted') this.view.mine = undefined;
    this.render();
  }

  panel(el: HTMLElement | null): void {
    if (!this.actions) return;
    clear(this.actions);
    if (el) {
      this.actions.append(el);
      el.querySelector<HTMLElement>('textarea, select, button')?.focus();
    } else {
      this.render();
      this.focusAction(this.opener);
    }
  }

  focusAction(className: string): void {
    this.card.querySelector<HTMLElement>(`.actions .${className}`)?.focus();
  }

  private open(className: string, form: () => HTMLElement): () => void {
    return () => {
      this.opener = className;
      this.panel(form());
    };
  }

  private render(): void {
    const { t, lang } = this.ctx;
    const v = this.view;
    const card = this.card;
    clear(card);
    this.actions = null;
    // A tombstone, or what a moderator took down: only the place of its replies (the author sees theirs).
    const tomb = v.status === 'deleted' || (v.status === 'rejected' && !v.mine);
    card.className = `card${tomb ? ' tomb' : ''}${v.status === 'pending' ? ' pending' : ''}${v.mine ? ' mine' : ''}`;
    const authorId = `${this.el.id}-a`;
    card.setAttribute('aria-labelledby', authorId);

    if (tomb) {
      card.append(h('div', { class: 'avatar ghost', 'aria-hidden': 'true' }), h('div', { class: 'main' }, h('p', { class: 'meta', id: authorId }, v.status === 'deleted' ? t.deleted : t.removed)));
      return;
    }
    const name = displayName(v, t.anonymous);
    const site = safeUrl(v.author.website);
    const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' }, initials(name));
    avatar.style.setProperty('--h', String(hue(name)));
    const badge = v.author.badge ? (t.badges[v.author.badge] ?? v.author.badge) : null;
    const replyTo = v.replyToId ? this.ctx.nodes.get(v.replyToId) : undefined;

    const meta = h(
      'header',
      { class: 'meta' },
      h('span', { class: 'author', id: authorId }, site ? h('a', { href: site, rel: 'nofollow ugc noopener noreferrer', target: '_blank' }, name) : name),
      badge && h('span', { class: `badge badge-${v.author.badge}` }, badge),
      v.author.readerBadge && h('span', { class: 'badge reader' }, v.author.readerBadge),
      v.mine && h('span', { class: 'you' }, `(${t.you})`),
      replyTo && h('span', { class: 'to' }, `${t.inReplyTo} ${displayName(replyTo.view, t.anonymous)}`),
      h('a', { class: 'time', href: permalink(v.id), title: `${t.permalink} · ${fullTime(v.createdAt, lang)}` }, h('time', { datetime: v.createdAt }, relativeTime(v.createdAt, lang))),
      v.editedAt && h('span', { class: 'edited', title: fullTime(v.editedAt, lang) }, t.edited),
      v.vote && h('span', { class: 'voted' }, `${t.votedFor} ${v.vote.options.join(', ')}`),
    );
    const body = h('div', { class: 'body' });
    body.append(safeHtml(v.bodyHtml));
    const actions = (this.actions = h('div', { class: 'actions' }));
    const ctx = this.ctx;
    const button = (cls: string, label: string, onclick: () => void) =>
      h('button', { type: 'button', class: `link ${cls}`, 'aria-label': `${label}: ${name}`, onclick }, label);
    if (v.status === 'approved') actions.append(likeButton(ctx, this, name));
    if (ctx.thread.state === 'open' && v.status === 'approved') {
      actions.append(button('reply', t.reply, () => ctx.replyTo(this)), button('quote', t.quote, () => ctx.replyTo(this, true)));
    }
    if (v.mine) {
      if (v.editableUntil && Date.parse(v.editableUntil) > Date.now() && v.bodySrc !== undefined) actions.append(button('edit', t.edit, this.open('edit', () => editForm(ctx, this))));
      actions.append(button('del', t.del, this.open('del', () => deleteForm(ctx, this))));
    } else if (v.status === 'approved') {
      actions.append(v.flagged ? h('span', { class: 'muted' }, t.reported) : button('flag', t.report, this.open('flag', () => flagForm(ctx, this))));
    }
    card.append(
      avatar,
      h('div', { class: 'main' }, meta, body, v.status === 'pending' && h('p', { class: 'note', role: 'note' }, t.pending), actions),
    );
  }

  quoteText(): string {
    const body = this.card.querySelector('.body');
    if (!body) return '';
    const copy = body.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('blockquote').forEach((q) => q.remove());
    const paragraphs = Array.from(copy.querySelectorAll('p'));
    const blocks = paragraphs.length ? paragraphs : [copy];
    return blocks
      .map((p) => {
        p.querySelectorAll('br').forEach((br) => br.replaceWith('\n'));
        return (p.textContent ?? '').trim();
      })
      .filter(Boolean)
      .join('\n\n');
  }

  focus(): void {
    this.card.focus({ preventScroll: true });
  }

  /** Replies as the list endpoint gives them (the first few), or a page from the replies endpoint. */
  setReplies(r: Replies): void {
    this.total = r.total;
    this.cursor = r.nextCursor;
    for (const item of r.items) this.addReply(item);
    this.refreshMore();
  }

  addReply(view: CommentView, fresh = false): CommentNode {
    const existing = this.ctx.nodes.get(view.id);
    if (existing instanceof CommentNode) {
      existing.update(view);
      return existing;
    }
    const node = new CommentNode(this.ctx, view);
    this.replies.append(node.el);
    this.loaded += 1;
    if (fresh) this.total += 1;
    this.refreshMore();
    return node;
  }

  private refreshMore(): void {
    const remaining = Math.max(0, this.total - this.loaded);
    this.more.hidden = remaining === 0 || this.loading;
    this.more.textContent = this.ctx.t.showReplies(remaining, this.loaded > 0);
  }

  async loadReplies(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.more.disabled = true;
    clear(this.moreError);
    try {
      const q = new URLSearchParams({ limit: '20' });
      if (this.cursor) q.set('cursor', this.cursor);
      const page = await this.ctx.api<{ items: CommentView[]; nextCursor: string | null }>('GET', `/comments/${this.view.id}/replies?${q}`);
      const before = this.loaded;
      for (const item of page.items) this.addReply(item);
      this.cursor = page.nextCursor;
      // The server is the judge of how many remain: no cursor means none.
      if (!page.nextCursor) this.total = this.loaded;
      const first = this.replies.children[before] as HTMLElement | undefined;
      first?.querySelector<HTMLElement>('.card')?.focus({ preventScroll: true });
    } catch (err) {
      this.moreError.append(h('p', {}, (err as Error).message));
    } finally {
      this.loading = false;
      this.more.disabled = false;
      this.refreshMore();
    }
  }
}
