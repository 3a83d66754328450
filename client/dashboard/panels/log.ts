import type { Panel } from '../context';
import { qs } from '../api';
import { h } from '../dom';
import { formatDate } from '../i18n';
import type { LogEntry, Page } from '../types';

/** The audit log: who did what to which comment, when and why; newest first, page by page. */
export const logPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const body = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, t.loadMore);
  let cursor: string | null = null;
  mount.append(
    h(
      'section',
      { 'aria-labelledby': 'log-title' },
      h('h1', { id: 'log-title' }, t.log),
      h(
        'table',
        { class: 'log' },
        h('thead', {}, h('tr', {}, [t.when, t.who, t.what, t.target, t.change, t.reason].map((c) => h('th', { scope: 'col' }, c)))),
        body,
      ),
      more,
    ),
  );

  const row = (e: LogEntry) =>
    h(
      'tr',
      {},
      h('td', {}, h('time', { datetime: e.at }, formatDate(e.at, ctx.lang))),
      h('td', {}, e.actor.name ?? t.system),
      h('td', {}, e.action),
      h('td', {}, h('code', {}, e.commentId ?? e.target.id ?? '')),
      h('td', {}, e.from || e.to ? `${e.from ?? '–'} → ${e.to ?? '–'}` : ''),
      h('td', {}, e.reason ?? ''),
    );

  const load = () =>
    ctx.api.get<Page<LogEntry>>(`/moderation/log${qs({ site: ctx.site.id, limit: 50, cursor })}`).then((page) => {
      body.append(...page.items.map(row));
      cursor = page.nextCursor;
      more.hidden = !cursor;
    }, ctx.fail);
  more.addEventListener('click', () => void load());
  void load();
};
