import type { Panel } from '../context';
import { h } from '../dom';
import { field, showErrors } from '../fields';
import type { Site, SiteSettings } from '../types';

const lines = (value: string) =>
  value
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The site's settings for its admins: moderation mode, word lists, link limit, edit window, flag
 * threshold and allowed origins. Only what changed is sent; each refusal is shown at its field.
 */
export const settingsPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const section = h('section', { 'aria-labelledby': 'settings-title' }, h('h1', { id: 'settings-title' }, t.settingsTitle));
  mount.append(section);

  ctx.api.get<{ site: Site }>(`/sites/${ctx.site.id}`).then(({ site }) => section.append(form(site)), ctx.fail);

  function form(site: Site): HTMLFormElement {
    const s = site.settings;
    const name = h('input', { type: 'text', value: site.name, required: true, maxlength: 200 });
    const mode = h('select', {}, (['post', 'pre', 'first_time'] as const).map((m) => h('option', { value: m, selected: s.moderation === m }, t.modes[m])));
    const blocked = h('textarea', { rows: 4 });
    blocked.value = s.blockedWords.join('\n');
    const held = h('textarea', { rows: 4 });
    held.value = s.heldWords.join('\n');
    const num = (value: number, min: number, max: number) => h('input', { type: 'number', value, min, max, required: true });
    const maxLinks = num(s.maxLinks, 0, 50);
    const editWindow = num(s.editWindowMinutes, 0, 10080);
    const threshold = num(s.flagThreshold, 1, 100);
    const slowPerMinute = num(s.slowModeAutoPerMinute, 0, 10_000);
    const slowSeconds = num(s.slowModeAutoSeconds, 5, 3600);
    const slowQuiet = num(s.slowModeQuietMinutes, 1, 1440);
    const closeAfter = num(s.closeAfterHours ?? 0, 0, 87_600);
    const origins = h('textarea', { rows: 3 });
    origins.value = site.origins.join('\n');
    const submit = h('button', { type: 'submit', class: 'primary' }, t.save);

    const f = h(
      'form',
      { class: 'settings', novalidate: true },
      field(t.name, name, 'name'),
      field(t.mode, mode, 'settings.moderation'),
      field(t.blockedWords, blocked, 'settings.blockedWords'),
      field(t.heldWords, held, 'settings.heldWords'),
      field(t.maxLinks, maxLinks, 'settings.maxLinks'),
      field(t.editWindow, editWindow, 'settings.editWindowMinutes'),
      field(t.flagThreshold, threshold, 'settings.flagThreshold'),
      field(t.slowAutoPerMinute, slowPerMinute, 'settings.slowModeAutoPerMinute'),
      field(t.slowAutoSeconds, slowSeconds, 'settings.slowModeAutoSeconds'),
      field(t.slowQuietMinutes, slowQuiet, 'settings.slowModeQuietMinutes'),
      field(t.closeAfterHours, closeAfter, 'settings.closeAfterHours'),
      field(t.origins, origins, 'origins'),
      submit,
    );

    f.addEventListener('submit', (e) => {
      e.preventDefault();
      showErrors(f, null);
      const settings: Partial<SiteSettings> = {
        moderation: mode.value as SiteSettings['moderation'],
        blockedWords: lines(blocked.value),
        heldWords: lines(held.value),
        maxLinks: Number(maxLinks.value),
        editWindowMinutes: Number(editWindow.value),
        flagThreshold: Number(threshold.value),
        slowModeAutoPerMinute: Number(slowPerMinute.value),
        slowModeAutoSeconds: Number(slowSeconds.value),
        slowModeQuietMinutes: Number(slowQuiet.value),
        closeAfterHours: Number(closeAfter.value),
      };
      submit.disabled = true;
      ctx.api
        .send<{ site: Site }>('PATCH', `/sites/${site.id}`, { name: name.value.trim(), origins: lines(origins.value), settings })
        .then(
          () => ctx.status.say(t.saved),
          (err: unknown) => {
            ctx.fail(err);
            showErrors(f, err);
          },
        )
        .finally(() => (submit.disabled = false));
    });
    return f;
  }
};
