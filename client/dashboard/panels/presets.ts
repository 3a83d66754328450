import type { Panel } from '../context';
import { clear, h } from '../dom';
import { field, showErrors } from '../fields';
import type { PresetSettings, PresetView } from '../types';

const SLOW_STEPS = [0, 10, 30, 60, 120, 300, 900, 3600];

/**
 * A site's presets of thread settings (admins): listed with what each sets, created, edited and
 * deleted; each refusal is shown at its field. Moderators apply them from the threads panel.
 */
export const presetsPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const p = t.presets;
  const base = `/sites/${ctx.site.id}/presets`;
  const list = h('div', {});
  let editing: PresetView | null = null;

  // "unchanged" is the empty value of every choice: a preset sets only what it names.
  const keep = () => h('option', { value: '' }, p.unchanged);
  const name = h('input', { type: 'text', required: true, maxlength: 80 });
  const mode = h('select', {}, keep(), h('option', { value: 'site' }, p.siteMode), (['post', 'pre', 'first_time'] as const).map((m) => h('option', { value: m }, t.modes[m])));
  const slow = h('select', {}, keep(), SLOW_STEPS.map((s) => h('option', { value: String(s) }, s ? t.slowEvery(s) : t.slowOff)));
  const links = h('select', {}, keep(), h('option', { value: 'yes' }, p.linksYes), h('option', { value: 'no' }, p.linksNo));
  const format = h('select', {}, keep(), h('option', { value: 'comments' }, p.formats.comments), h('option', { value: 'qa' }, p.formats.qa));
  const close = h('input', { type: 'number', step: 1, inputmode: 'numeric' });
  const heading = h('h2', {}, p.add);
  const submit = h('button', { type: 'submit', class: 'primary' }, p.save);
  const cancel = h('button', { type: 'button', hidden: true }, p.cancel);
  const form = h(
    'form',
    { class: 'settings', novalidate: true },
    heading,
    field(p.name, name, 'name'),
    field(p.mode, mode, 'settings.mode'),
    field(t.slowMode, slow, 'settings.slowModeSeconds'),
    field(p.links, links, 'settings.linksAllowed'),
    field(p.format, format, 'settings.format'),
    field(p.closeAfterHours, close, 'settings.closeAfterHours'),
    // A refusal of the settings as a whole (none chosen) shows here.
    h('p', { class: 'field' }, h('span', { class: 'field-error', id: 'preset-settings-error' })),
    h('p', { class: 'buttons' }, submit, cancel),
  );
  form.querySelector<HTMLElement>('#preset-settings-error')!.dataset.path = 'settings';
  form.querySelector<HTMLElement>('#preset-settings-error')!.setAttribute('aria-describedby', 'preset-settings-error');
  mount.append(h('section', { 'aria-labelledby': 'presets-title' }, h('h1', { id: 'presets-title' }, p.title), h('p', {}, p.intro), list, form));

  function fill(preset: PresetView | null): void {
    editing = preset;
    const s = preset?.settings ?? {};
    name.value = preset?.name ?? '';
    mode.value = s.mode === undefined ? '' : s.mode === null ? 'site' : s.mode;
    slow.value = s.slowModeSeconds === undefined ? '' : String(s.slowModeSeconds ?? 0);
    links.value = s.linksAllowed === undefined ? '' : s.linksAllowed ? 'yes' : 'no';
    format.value = s.format ?? '';
    close.value = s.closeAfterHours ? String(s.closeAfterHours) : '';
    heading.textContent = preset ? p.editing(preset.name) : p.add;
    cancel.hidden = !preset;
    showErrors(form, null);
  }

  function settings(): PresetSettings {
    const s: PresetSettings = {};
    if (mode.value) s.mode = mode.value === 'site' ? null : (mode.value as PresetSettings['mode']);
    if (slow.value) s.slowModeSeconds = Number(slow.value);
    if (links.value) s.linksAllowed = links.value === 'yes';
    if (format.value) s.format = format.value as PresetSettings['format'];
    // The server checks the number (whole hours, 1 or more) and says at this field what is wrong.
    if (close.value.trim()) s.closeAfterHours = Number(close.value);
    return s;
  }

  cancel.addEventListener('click', () => fill(null));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    showErrors(form, null);
    submit.disabled = true;
    const body = { name: name.value, settings: settings() };
    const done = editing ? p.saved : p.created;
    ctx.api
      .send<{ preset: PresetView }>(editing ? 'PATCH' : 'POST', editing ? `${base}/${editing.id}` : base, body)
      .then(
        () => {
          ctx.status.say(done);
          fill(null);
          return load();
        },
        (err: unknown) => {
          ctx.fail(err);
          showErrors(form, err);
        },
      )
      .finally(() => (submit.disabled = false));
  });

  async function load(): Promise<void> {
    const { items } = await ctx.api.get<{ items: PresetView[] }>(base);
    clear(list);
    if (!items.length) return void list.append(h('p', { class: 'empty' }, p.none));
    const c = p.columns;
    const rows = items.map((x) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, x.name),
        h('td', {}, describe(x.settings)),
        h(
          'td',
          {},
          h('button', { type: 'button', 'aria-label': p.editOne(x.name), onclick: () => (fill(x), name.focus()) }, p.edit),
          h('button', {
            type: 'button',
            'aria-label': p.deleteOne(x.name),
            onclick: () =>
              ctx.api.send('DELETE', `${base}/${x.id}`).then(() => {
                ctx.status.say(p.deleted(x.name));
                if (editing?.id === x.id) fill(null);
                return load();
              }, ctx.fail),
          }, p.delete),
        ),
      ),
    );
    list.append(h('table', {}, h('thead', {}, h('tr', {}, [c.name, c.settings, ''].map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)));
  }

  /** What a preset sets, in words. */
  function describe(s: PresetSettings): string {
    const parts: string[] = [];
    if (s.mode !== undefined) parts.push(s.mode === null ? p.siteMode : t.modes[s.mode]!);
    if (s.slowModeSeconds !== undefined) parts.push(`${t.slowMode}: ${s.slowModeSeconds ? t.slowEvery(s.slowModeSeconds) : t.slowOff}`);
    if (s.linksAllowed !== undefined) parts.push(s.linksAllowed ? p.linksYes : p.linksNo);
    if (s.format !== undefined) parts.push(p.formats[s.format]);
    if (s.closeAfterHours !== undefined) parts.push(s.closeAfterHours === null ? p.noClose : p.closesAfter(s.closeAfterHours));
    return parts.join(' · ');
  }

  void load().catch(ctx.fail);
};
