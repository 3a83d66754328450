import type { Ctx } from '../context';
import { h, uid } from '../dom';
import type { QueueItem } from '../types';

export interface BanOutcome {
  rejected: string[];
}

/**
 * Bans the author of a queue item (or the network their comment came from) for a time or for
 * ever, by default rejecting their pending comments too. A native modal dialog; resolves null
 * when the moderator cancels.
 */
export function banDialog(ctx: Ctx, item: QueueItem, author: string): Promise<BanOutcome | null> {
  const { t } = ctx;
  const ids = { duration: uid('duration'), reason: uid('reason'), pending: uid('pending'), network: uid('network'), title: uid('ban-title') };
  const duration = h(
    'select',
    { id: ids.duration },
    Object.entries(t.durations).map(([value, label]) => h('option', { value, selected: value === 'forever' }, label)),
  );
  const reason = h('textarea', { id: ids.reason, rows: 2, maxlength: 500 });
  const pending = h('input', { id: ids.pending, type: 'checkbox', checked: true });
  const network = h('input', { id: ids.network, type: 'checkbox' });
  const submit = h('button', { type: 'submit', class: 'primary danger' }, t.ban);
  const cancel = h('button', { type: 'button' }, t.cancel);
  const error = h('p', { class: 'status-alert', role: 'alert' });
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', { id: ids.title }, t.banTitle(author)),
    h('p', { class: 'field' }, h('label', { for: ids.duration }, t.duration), duration),
    h('p', { class: 'field' }, h('label', { for: ids.reason }, t.reason), reason),
    h('p', { class: 'check' }, pending, h('label', { for: ids.pending }, t.rejectPending)),
    h('p', { class: 'check' }, network, h('label', { for: ids.network }, t.banNetwork)),
    error,
    h('p', { class: 'buttons' }, submit, cancel),
  );
  const dialog = h('dialog', { class: 'ban', 'aria-labelledby': ids.title }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let outcome: BanOutcome | null = null;
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(outcome);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit.disabled = true;
      ctx.api
        .send<{ rejected: string[] }>('POST', '/moderation/bans', {
          site: ctx.site.id,
          commentId: item.comment.id,
          scope: network.checked ? 'network' : 'commenter',
          durationHours: duration.value === 'forever' ? null : Number(duration.value),
          reason: reason.value.trim() || undefined,
          rejectPending: pending.checked,
        })
        .then(
          (res) => {
            outcome = { rejected: res.rejected };
            ctx.status.say(t.bannedDone(author));
            dialog.close();
          },
          (err: unknown) => {
            submit.disabled = false;
            error.textContent = err instanceof Error ? err.message : t.failed;
          },
        );
    });
    dialog.showModal();
    duration.focus();
  });
}
