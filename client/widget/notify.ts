import type { Ctx, NotifyChoice } from './context';
import { h, uid } from './dom';

/**
 * "Notify me of follow-up comments by email": a module of its own, loaded only when the server sends
 * mail. A checkbox under the email field, and when it is ticked the choice between the replies to
 * this comment and every new comment in the thread. The post carries it (`notify`, with the
 * reader's language for the mails); afterwards the reader is told to confirm their address when the
 * server mailed a confirmation.
 */
const TEXT = {
  en: {
    label: 'Notify me of new comments by email',
    which: 'Tell me about',
    replies: 'Replies to my comment',
    thread: 'Every new comment in this thread',
    hint: 'The first email only asks you to confirm your address. Every email has a link to stop.',
    confirm: 'We sent you an email: follow its link to confirm your address.',
    subscribed: 'You will be told by email.',
  },
  fr: {
    label: 'Me prévenir des nouveaux commentaires par e-mail',
    which: 'Me prévenir',
    replies: 'Des réponses à mon commentaire',
    thread: 'De chaque nouveau commentaire de cette discussion',
    hint: 'Le premier e-mail vous demande seulement de confirmer votre adresse. Chaque e-mail contient un lien pour arrêter.',
    confirm: 'Nous vous avons envoyé un e-mail : suivez son lien pour confirmer votre adresse.',
    subscribed: 'Vous serez prévenu par e-mail.',
  },
};

const CSS = `.notify{display:grid;gap:.35rem;font-size:.9em;color:var(--muted)}.notify-row{display:flex;gap:.5rem;align-items:flex-start}.notify input{margin-top:.3em;accent-color:var(--accent)}.notify fieldset{display:grid;gap:.3rem;border:0;margin:0;padding:0 0 0 1.6rem;min-width:0}.notify legend{padding:0;color:var(--fg)}.notify-said{color:var(--fg);font-weight:600}`;

export function notifyChoice(ctx: Ctx): NotifyChoice {
  const t = TEXT[ctx.lang];
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  ctx.root.adoptedStyleSheets = [...ctx.root.adoptedStyleSheets, sheet];

  const hint = h('p', { class: 'hint', id: uid('notify-h') }, t.hint);
  const said = h('p', { class: 'notify-said' });
  said.hidden = true;
  const radios = (['replies', 'thread'] as const).map((value, i) => h('input', { type: 'radio', name: 'notify', value, checked: i === 0, id: uid(`notify-${value}`) }));
  const scope = h(
    'fieldset',
    { id: uid('notify-scope') },
    h('legend', {}, t.which),
    radios.map((r) => h('div', { class: 'notify-row' }, r, h('label', { for: r.id }, t[r.value as 'replies' | 'thread']))),
  );
  const box = h('input', { type: 'checkbox', id: uid('notify'), 'aria-describedby': hint.id, 'aria-controls': scope.id, 'aria-expanded': 'false' });
  const show = () => {
    scope.hidden = !box.checked;
    box.setAttribute('aria-expanded', String(box.checked));
  };
  box.addEventListener('change', show);
  show();

  return {
    el: h('div', { class: 'notify' }, h('div', { class: 'notify-row' }, box, h('label', { for: box.id }, t.label)), scope, hint, said),
    fields: () => (box.checked ? { notify: radios.find((r) => r.checked)!.value, lang: ctx.lang } : {}),
    said(res) {
      if (!res.subscription) return '';
      // Asked once for this comment: the next one asks again.
      box.checked = false;
      show();
      said.textContent = res.subscription.confirmed ? t.subscribed : t.confirm;
      said.hidden = false;
      return ` ${said.textContent}`;
    },
  };
}
