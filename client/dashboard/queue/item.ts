import { type Ctx, who } from '../context';
import { h, safeHtml, safeUrl } from '../dom';
import { formatDate } from '../i18n';
import type { QueueItem, QueueName } from '../types';

export type ItemCommand = 'approve' | 'reject' | 'spam' | 'restore' | 'feature' | 'ban' | 'reply' | 'history' | 'select';

/** The actions that make sense in each queue, in the order they are offered. */
const ACTIONS: Record<QueueName, ItemCommand[]> = {
  pending: ['approve', 'reject', 'spam', 'feature'],
  flagged: ['approve', 'reject', 'spam', 'feature'],
  spam: ['restore', 'approve', 'reject'],
  rejected: ['restore', 'approve', 'spam'],
};

export interface ItemView {
  li: HTMLLIElement;
  article: HTMLElement;
  checkbox: HTMLInputElement;
  /** Where the history and the reply box open, below the comment. */
  extra: HTMLElement;
  markGone(message: string): void;
}

/**
 * One comment as a moderator needs it: the article it is on, the comment it answers, its flags,
 * and who wrote it with their record on the site — then the actions.
 */
export function renderItem(ctx: Ctx, queue: QueueName, item: QueueItem, run: (command: ItemCommand) => void): ItemView {
  const { t } = ctx;
  const c = item.comment;
  const author = item.member ? item.member.name : who(ctx, item.commenter?.name ?? c.author.name);
  const headingId = `item-${c.id}`;
  const checkbox = h('input', { type: 'checkbox', class: 'pick', 'aria-label': t.select(author) });
  checkbox.addEventListener('change', () => run('select'));

  const commenter = item.commenter;
  const meta = commenter
    ? h(
        'p',
        { class: 'meta' },
        commenter.email ?? t.noEmail,
        ` · ${t.since} ${formatDate(commenter.since, ctx.lang)} · ${t.record(commenter.history)}`,
        commenter.banned ? h('strong', { class: 'flag' }, ` · ${t.banned}`) : null,
      )
    : null;

  const thread = item.thread;
  const threadTitle = thread?.title || thread?.key || '';
  const threadUrl = safeUrl(thread?.url);
  const context = h(
    'p',
    { class: 'context' },
    `${t.inThread} `,
    threadUrl ? h('a', { href: threadUrl, target: '_blank', rel: 'noopener noreferrer' }, threadTitle) : h('span', {}, threadTitle),
    ` · ${formatDate(c.createdAt, ctx.lang)}`,
    item.flags.count ? ` · ${t.flags(item.flags.count)}${Object.keys(item.flags.reasons).length ? ` (${Object.keys(item.flags.reasons).join(', ')})` : ''}` : '',
  );

  const parent = item.parent
    ? h(
        'blockquote',
        { class: 'parent' },
        h('p', { class: 'parent-by' }, `${t.inReplyTo} ${who(ctx, item.parent.author.name)}`),
        h('div', { class: 'body' }, safeHtml(item.parent.bodyHtml)),
      )
    : null;

  const buttons = [...ACTIONS[queue], 'ban', 'reply', 'history'] as ItemCommand[];
  const label: Record<string, string> = {
    approve: t.approve,
    reject: t.reject,
    spam: t.spam,
    restore: t.restore,
    feature: c.featured ? t.unfeature : t.feature,
    ban: t.ban,
    reply: t.reply,
    history: t.history,
  };
  const shortcut: Record<string, string> = { approve: 'a', reject: 'r', spam: 's', feature: 'f', ban: 'b' };
  const actions = h(
    'div',
    { class: 'actions' },
    buttons
      .filter((b) => b !== 'ban' || (commenter && !commenter.erased))
      .map((b) => {
        const button = h('button', { type: 'button', class: `act act-${b}`, 'aria-keyshortcuts': shortcut[b] ?? null }, label[b]);
        button.addEventListener('click', () => run(b));
        return button;
      }),
  );

  const extra = h('div', { class: 'extra' });
  const article = h(
    'article',
    { class: 'card', tabindex: '-1', 'aria-label': t.commentBy(author) },
    h(
      'div',
      { class: 'card-head' },
      checkbox,
      h(
        'h3',
        { id: headingId },
        author,
        item.member?.badge ? h('span', { class: 'badge' }, item.member.badge) : null,
      ),
    ),
    meta,
    context,
    parent,
    h('div', { class: 'body' }, safeHtml(c.bodyHtml)),
    c.statusReason ? h('p', { class: 'reason' }, `${t.reason}: ${c.statusReason}`) : null,
    riskLine(t, c),
    actions,
    extra,
  );
  const li = h('li', { class: 'item', 'data-id': c.id }, article);
  return {
    li,
    article,
    checkbox,
    extra,
    markGone(message) {
      li.classList.add('gone');
      checkbox.checked = false;
      checkbox.disabled = true;
      for (const b of Array.from(actions.querySelectorAll('button'))) b.disabled = true;
      actions.after(h('p', { class: 'gone-note' }, message));
    },
  };
}

/** The abuse signals' score and why, strongest first: what a moderator weighs before deciding. */
function riskLine(t: Ctx['t'], c: QueueItem['comment']): HTMLElement | null {
  if (c.risk === null) return null;
  const level = c.risk >= 0.9 ? 'high' : c.risk >= 0.6 ? 'medium' : 'low';
  return h(
    'p',
    { class: `risk risk-${level}` },
    h('strong', {}, t.risk(Math.round(c.risk * 100))),
    c.riskReasons.length ? ` — ${c.riskReasons.map((r) => `${t.riskReason[r.code] ?? r.code}: ${r.detail}`).join('; ')}` : '',
  );
}
