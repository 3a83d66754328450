import { qs } from '../api';
import type { Ctx } from '../context';
import { h } from '../dom';
import { formatDate } from '../i18n';
import type { LogEntry, Page, QueueItem } from '../types';

/**
 * What was decided before about this commenter (or, for a member's or an erased author's comment,
 * about this comment), newest first: the moderator sees a repeat offender at a glance.
 */
export async function historyView(ctx: Ctx, item: QueueItem): Promise<HTMLElement> {
  const { t } = ctx;
  const filter = item.commenter && !item.commenter.erased ? { commenterId: item.commenter.id } : { commentId: item.comment.id };
  const page = await ctx.api.get<Page<LogEntry>>(`/moderation/log${qs({ site: ctx.site.id, limit: 20, ...filter })}`);
  const entries = page.items.filter((e) => e.action !== 'comment.post');
  return h(
    'section',
    { class: 'history', 'aria-label': t.earlierDecisions },
    h('h4', {}, t.earlierDecisions),
    entries.length
      ? h(
          'ul',
          {},
          entries.map((e) =>
            h(
              'li',
              {},
              h('time', { datetime: e.at }, formatDate(e.at, ctx.lang)),
              ` — ${e.actor.name ?? t.system}: ${e.action}`,
              e.from || e.to ? ` (${e.from ?? '–'} → ${e.to ?? '–'})` : '',
              e.reason ? ` — ${e.reason}` : '',
            ),
          ),
        )
      : h('p', {}, t.noDecisions),
  );
}
