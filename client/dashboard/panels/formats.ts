import type { Ctx } from '../context';
import { h } from '../dom';
import type { PublicComment, ThreadInfo } from '../types';

/**
 * The thread's format (comments, or Q&A: readers ask, staff answer), saved on change; readers'
 * widgets follow live.
 */
export function formatControl(ctx: Ctx, thread: ThreadInfo): HTMLElement {
  const { t } = ctx;
  const id = `format-${thread.id}`;
  const select = h('select', { id }, ...(['comments', 'qa'] as const).map((f) => h('option', { value: f, selected: f === thread.format }, t.formats[f])));
  select.addEventListener('change', () => {
    select.disabled = true;
    ctx.api.send<{ thread: ThreadInfo }>('PATCH', `/threads/${thread.id}`, { format: select.value }).then(
      ({ thread: updated }) => {
        thread.format = updated.format;
        ctx.status.say(t.formatSaved(updated.format));
      },
      (err: unknown) => {
        select.value = thread.format;
        ctx.fail(err);
      },
    ).finally(() => (select.disabled = false));
  });
  return h('p', { class: 'format' }, h('label', { for: id }, `${t.format} `), select);
}

/** Feature or unfeature a published comment: it shows in (or leaves) the widget's Picks, live. */
export function pickButton(ctx: Ctx, c: PublicComment, author: string): HTMLButtonElement {
  const { t } = ctx;
  const label = () => (c.featured ? t.unfeature : t.feature);
  const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `${label()}: ${author}` }, label());
  button.addEventListener('click', () => {
    button.disabled = true;
    const action = c.featured ? 'unfeature' : 'feature';
    ctx.api.send<{ comment: { featured: boolean } }>('POST', `/moderation/comments/${c.id}/decision`, { action }).then(
      ({ comment }) => {
        c.featured = comment.featured;
        button.textContent = label();
        button.setAttribute('aria-label', `${label()}: ${author}`);
        ctx.status.say(t.done[action]!);
      },
      (err: unknown) => ctx.fail(err),
    ).finally(() => (button.disabled = false));
  });
  return button;
}
