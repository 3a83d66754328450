import type { Ctx } from './context';
import { h, uid } from './dom';
import type { PublicComment } from './types';

/**
 * A member answers a reader under their own name with their role as a badge: published at once.
 * Returns the form; `onDone` runs after publishing or cancelling (to put focus back).
 */
export function replyBox(
  ctx: Ctx,
  target: { threadId: string; parentId: string | null; parentAuthor: string },
  onDone: (posted: PublicComment | null) => void,
): HTMLFormElement {
  const { t } = ctx;
  const id = uid('reply');
  const text = h('textarea', { id, rows: 4, required: true, maxlength: 50000 });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.send);
  const cancel = h('button', { type: 'button' }, t.cancel);
  const form = h(
    'form',
    { class: 'reply', 'aria-label': t.replyTo(target.parentAuthor) },
    h('label', { for: id }, t.yourReply),
    text,
    h('p', { class: 'buttons' }, submit, cancel),
  );
  cancel.addEventListener('click', () => {
    form.remove();
    onDone(null);
  });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') cancel.click();
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!text.value.trim()) {
      text.focus();
      return;
    }
    submit.disabled = true;
    ctx.api
      .send<{ comment: PublicComment }>('POST', `/moderation/threads/${target.threadId}/comments`, { body: text.value, parentId: target.parentId })
      .then(
        ({ comment }) => {
          ctx.status.say(t.replied);
          form.remove();
          onDone(comment);
        },
        (err: unknown) => {
          ctx.fail(err);
          submit.disabled = false;
          text.focus();
        },
      );
  });
  queueMicrotask(() => text.focus());
  return form;
}
