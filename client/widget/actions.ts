import type { Ctx } from './context';
import { clear, h, uid } from './dom';
import type { CommentView } from './types';

/** What the actions need of a comment on the page. */
export interface Actionable {
  view: CommentView;
  update(view: CommentView): void;
  /** Shows a small form in place of the comment's actions, or the actions again (null). */
  panel(el: HTMLElement | null): void;
  /** Puts the focus back on an action button after the comment was drawn again. */
  focusAction(className: string): void;
}

type Res = { comment: CommentView; commenterToken?: string };

/**
 * Runs one request for a comment; the answer replaces the comment's view (keeping what the reader
 * knows that this answer leaves out) and an error is shown where the reader acted, in the server's
 * words, leaving whatever they typed in place.
 */
async function act(ctx: Ctx, node: Actionable, alert: HTMLElement, run: () => Promise<Res>, said: string): Promise<boolean> {
  clear(alert);
  try {
    const res = await run();
    if (res.commenterToken) ctx.store.setToken(res.commenterToken);
    node.update({ ...node.view, ...res.comment });
    ctx.announce(said);
    return true;
  } catch (err) {
    alert.append(h('p', {}, (err as Error).message));
    return false;
  }
}

const path = (node: Actionable) => `/comments/${node.view.id}`;

function miniForm(ctx: Ctx, node: Actionable, label: string, fields: HTMLElement[], submit: string, send: (alert: HTMLElement) => Promise<boolean>): HTMLFormElement {
  const alert = h('div', { class: 'alert', role: 'alert' });
  const form = h(
    'form',
    { class: 'mini', 'aria-label': label, novalidate: true },
    fields,
    alert,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, submit), h('button', { type: 'button', class: 'link', onclick: () => node.panel(null) }, ctx.t.cancel)),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void send(alert).then((ok) => ok && node.panel(null));
  });
  form.addEventListener('keydown', (e) => e.key === 'Escape' && node.panel(null));
  return form;
}

function labelled(label: string, control: HTMLElement): HTMLElement {
  control.id = uid('f');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

export function editForm(ctx: Ctx, node: Actionable): HTMLFormElement {
  const { t } = ctx;
  const text = h('textarea', { rows: 4, required: true, maxlength: 50000 });
  text.value = node.view.bodySrc ?? '';
  return miniForm(ctx, node, t.edit, [labelled(t.editLabel, text)], t.save, (alert) =>
    act(ctx, node, alert, () => ctx.api('PATCH', path(node), { body: text.value }), t.saved),
  );
}

export function deleteForm(ctx: Ctx, node: Actionable): HTMLFormElement {
  const { t } = ctx;
  return miniForm(ctx, node, t.del, [h('p', {}, t.deleteSure)], t.del, (alert) => act(ctx, node, alert, () => ctx.api('DELETE', path(node)), t.deletedSaid));
}

export function flagForm(ctx: Ctx, node: Actionable): HTMLFormElement {
  const { t } = ctx;
  const reason = h(
    'select',
    { required: true },
    Object.entries(t.reasons).map(([value, label]) => h('option', { value }, label)),
  );
  const note = h('textarea', { rows: 2, maxlength: 500 });
  return miniForm(ctx, node, t.report, [labelled(t.reason, reason), labelled(t.noteLabel, note)], t.send, (alert) =>
    act(
      ctx,
      node,
      alert,
      async () => {
        const res = await ctx.api<{ commenterToken?: string }>('POST', `${path(node)}/flags`, { reason: reason.value, ...(note.value.trim() ? { note: note.value } : {}) });
        return { comment: { ...node.view, flagged: true }, commenterToken: res.commenterToken };
      },
      t.reportedSaid,
    ),
  );
}

/** The like button: pressed when the reader likes the comment, with the count beside it. */
export function likeButton(ctx: Ctx, node: Actionable, name: string): HTMLButtonElement {
  const v = node.view;
  const n = v.reactionCount;
  const button = h(
    'button',
    { type: 'button', class: 'link like', 'aria-label': `${ctx.t.like}: ${name}${n ? ` (${n})` : ''}`, 'aria-pressed': v.reacted ? 'true' : 'false', onclick: () => void toggle() },
    `♥ ${ctx.t.like}`,
    n > 0 && ` ${n}`,
  );
  const toggle = async () => {
    button.disabled = true;
    const alert = h('span', { role: 'alert', class: 'field-error' });
    button.after(alert);
    const ok = await act(ctx, node, alert, () => ctx.api(v.reacted ? 'DELETE' : 'PUT', `${path(node)}/reaction`), v.reacted ? ctx.t.unliked : ctx.t.liked);
    button.disabled = false;
    if (ok) node.focusAction('like');
  };
  return button;
}
