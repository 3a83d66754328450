import { qs } from '../api';
import { type Panel, who } from '../context';
import { h } from '../dom';
import { formatDate } from '../i18n';
import type { Ban, Page } from '../types';

/** The site's active bans, newest first, each with a button to lift it. */
export const bansPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'bans' },
    h('caption', { class: 'sr-only' }, t.activeBans),
    h(
      'thead',
      {},
      h('tr', {}, [t.who, t.reason, t.when, t.until, t.by].map((c) => h('th', { scope: 'col' }, c)), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t.lift))),
    ),
    body,
  );
  const empty = h('p', { class: 'empty', hidden: true }, t.noBans);
  mount.append(h('section', { 'aria-labelledby': 'bans-title' }, h('h1', { id: 'bans-title' }, t.activeBans), table, empty));

  const row = (ban: Ban) => {
    const lift = h('button', { type: 'button' }, t.lift);
    const name = ban.commenter ? `${who(ctx, ban.commenter.name)}${ban.commenter.email ? ` <${ban.commenter.email}>` : ''}` : t.network;
    lift.setAttribute('aria-label', `${t.lift}: ${name}`);
    const tr = h(
      'tr',
      {},
      h('td', {}, name),
      h('td', {}, ban.reason ?? ''),
      h('td', {}, formatDate(ban.createdAt, ctx.lang)),
      h('td', {}, ban.expiresAt ? formatDate(ban.expiresAt, ctx.lang) : t.forever),
      h('td', {}, ban.createdBy.name ?? ''),
      h('td', {}, lift),
    );
    lift.addEventListener('click', () => {
      lift.disabled = true;
      ctx.api.send('DELETE', `/moderation/bans/${ban.id}`).then(
        () => {
          const next = (tr.nextElementSibling ?? tr.previousElementSibling)?.querySelector('button');
          tr.remove();
          empty.hidden = body.children.length > 0;
          table.hidden = body.children.length === 0;
          ctx.status.say(t.lifted);
          (next ?? mount.querySelector('h1'))?.focus?.();
        },
        (err: unknown) => {
          lift.disabled = false;
          ctx.fail(err);
        },
      );
    });
    return tr;
  };

  ctx.api.get<Page<Ban>>(`/moderation/bans${qs({ site: ctx.site.id, limit: 100 })}`).then((page) => {
    body.append(...page.items.map(row));
    empty.hidden = page.items.length > 0;
    table.hidden = page.items.length === 0;
  }, ctx.fail);
};
