import type { Panel } from '../context';
import { h, uid } from '../dom';
import { field, showErrors } from '../fields';
import type { MailChoices } from '../types';

/** The zones this browser knows, offered as suggestions; any IANA name the server knows is accepted. */
const zones = (): string[] => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
};

/**
 * A moderator's own mail for this site: each flagged comment at once, and a daily digest of the
 * pending queue at an hour of their own time zone (skipped when the queue is empty). Choices not yet
 * saved start off, in this browser's time zone. A refused zone is shown at its field.
 */
export const mailPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const m = t.mail;
  const path = `/sites/${ctx.site.id}/notifications`;
  const section = h('section', { 'aria-labelledby': 'mail-title' }, h('h1', { id: 'mail-title' }, m.title), h('p', {}, m.intro));
  mount.append(section);

  function form(c: MailChoices): HTMLFormElement {
    const check = (label: string, checked: boolean) => {
      const box = h('input', { type: 'checkbox', id: uid('mail'), checked });
      return { box, row: h('p', { class: 'check' }, box, h('label', { for: box.id }, label)) };
    };
    const flagged = check(m.flagged, c.flagged);
    const digest = check(m.digest, c.digestHour !== null);
    const hour = h(
      'select',
      {},
      Array.from({ length: 24 }, (_, n) => h('option', { value: n, selected: n === (c.digestHour ?? 8) }, `${String(n).padStart(2, '0')}:00`)),
    );
    const listId = 'mail-zones';
    const zone = h('input', { type: 'text', list: listId, autocomplete: 'off', spellcheck: false, maxlength: 64 });
    zone.value = c.updatedAt ? c.timeZone : Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    const when = h('div', { class: 'digest-when' }, field(m.hour, hour, 'digestHour'), field(m.timeZone, zone, 'timeZone'), h('datalist', { id: listId }, zones().map((z) => h('option', { value: z }))));
    const sync = () => (when.hidden = !digest.box.checked);
    digest.box.addEventListener('change', sync);
    sync();
    const submit = h('button', { type: 'submit', class: 'primary' }, t.save);
    const f = h('form', { class: 'settings', novalidate: true }, flagged.row, digest.row, when, submit);
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      showErrors(f, null);
      submit.disabled = true;
      const body = { flagged: flagged.box.checked, digestHour: digest.box.checked ? Number(hour.value) : null, timeZone: zone.value.trim(), lang: ctx.lang };
      ctx.api
        .send<{ notifications: MailChoices }>('PUT', path, body)
        .then(
          () => ctx.status.say(t.saved),
          (err: unknown) => (ctx.fail(err), showErrors(f, err)),
        )
        .finally(() => (submit.disabled = false));
    });
    return f;
  }

  ctx.api.get<{ notifications: MailChoices }>(path).then(({ notifications }) => {
    section.append(notifications.sendsMail ? form(notifications) : h('p', { class: 'empty' }, m.noMail));
  }, ctx.fail);
};
