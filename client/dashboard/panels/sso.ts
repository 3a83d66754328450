import { clear, h } from '../dom';
import { field, showErrors } from '../fields';
import type { Panel } from '../context';
import type { SsoKey, SsoSettings } from '../types';

/**
 * Readers' sign-in through the site's own accounts (admins): the setting, and the keys tokens are
 * checked with — created (an HS256 secret is shown this once), listed with their last use, retired.
 * Every refused value is shown at its field.
 */
export const ssoPanel: Panel = (ctx, mount) => {
  const { t } = ctx;
  const s = t.sso;
  const base = `/sites/${ctx.site.id}`;
  const section = h('section', { 'aria-labelledby': 'sso-title' }, h('h1', { id: 'sso-title' }, s.title));
  const keysHome = h('div', { class: 'sso-keys' });
  mount.append(section);

  function settingsForm(sso: SsoSettings): HTMLFormElement {
    const mode = h('select', {}, (['off', 'optional', 'required'] as const).map((m) => h('option', { value: m, selected: sso.mode === m }, s.modes[m])));
    const text = (value: string | null) => h('input', { type: 'text', value: value ?? '' });
    const issuer = text(sso.issuer);
    const loginUrl = text(sso.loginUrl);
    const logoutUrl = text(sso.logoutUrl);
    const maxAge = h('input', { type: 'number', value: sso.tokenMaxAge, min: 30, max: 86400 });
    const f = h(
      'form',
      { class: 'settings', novalidate: true },
      field(s.mode, mode, 'settings.sso.mode'),
      field(s.issuer, issuer, 'settings.sso.issuer'),
      field(s.loginUrl, loginUrl, 'settings.sso.loginUrl'),
      field(s.logoutUrl, logoutUrl, 'settings.sso.logoutUrl'),
      field(s.tokenMaxAge, maxAge, 'settings.sso.tokenMaxAge'),
      h('button', { type: 'submit', class: 'primary' }, t.save),
    );
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const orNull = (v: string) => v.trim() || null;
      const settings = { sso: { mode: mode.value, issuer: orNull(issuer.value), loginUrl: orNull(loginUrl.value), logoutUrl: orNull(logoutUrl.value), tokenMaxAge: Number(maxAge.value) } };
      ctx.api.send('PATCH', base, { settings }).then(
        () => (showErrors(f, null), ctx.status.say(t.saved)),
        (err: unknown) => (ctx.fail(err), showErrors(f, err)),
      );
    });
    return f;
  }

  function keyForm(): HTMLFormElement {
    const kind = h('select', {}, (['secret', 'public', 'jwks'] as const).map((k) => h('option', { value: k }, s.kinds[k])));
    const alg = h('select', {}, ['RS256', 'ES256', 'EdDSA'].map((a) => h('option', { value: a }, a)));
    const kid = h('input', { type: 'text', maxlength: 100 });
    const material = h('textarea', { rows: 4 });
    const url = h('input', { type: 'text' });
    const shown = h('div', { class: 'secret', role: 'status' });
    const rows = { alg: field('alg', alg, 'alg'), material: field(s.material, material, 'pem'), url: field(s.url, url, 'url') };
    const sync = () => {
      rows.alg.hidden = kind.value === 'secret';
      rows.material.hidden = kind.value !== 'public';
      rows.url.hidden = kind.value !== 'jwks';
    };
    kind.addEventListener('change', sync);
    sync();
    const f = h('form', { class: 'settings', novalidate: true }, h('h2', {}, s.newKey), field(s.kind, kind, 'kind'), field(s.kid, kid, 'kid'), rows.alg, rows.material, rows.url, h('button', { type: 'submit', class: 'primary' }, s.create), shown);
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      clear(shown);
      const value = material.value.trim();
      // A JWK is JSON; anything else is taken as PEM. Refusals name the field either way.
      material.dataset.path = value.startsWith('{') ? 'jwk' : 'pem';
      let jwk: unknown;
      try {
        jwk = value.startsWith('{') ? JSON.parse(value) : undefined;
      } catch {
        jwk = value;
      }
      const body =
        kind.value === 'secret'
          ? { kind: 'secret', ...(kid.value.trim() ? { kid: kid.value.trim() } : {}) }
          : kind.value === 'public'
            ? { kind: 'public', alg: alg.value, ...(kid.value.trim() ? { kid: kid.value.trim() } : {}), ...(jwk !== undefined ? { jwk } : { pem: value }) }
            : { kind: 'jwks', alg: alg.value, url: url.value.trim() };
      ctx.api.send<{ key: SsoKey; secret?: string }>('POST', `${base}/sso/keys`, body).then(
        ({ secret }) => {
          showErrors(f, null);
          ctx.status.say(s.created);
          if (secret) shown.append(h('p', {}, s.secretOnce), h('code', {}, secret));
          void loadKeys();
        },
        (err: unknown) => (ctx.fail(err), showErrors(f, err)),
      );
    });
    return f;
  }

  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(ctx.lang) : s.never);
  async function loadKeys(): Promise<void> {
    const { items } = await ctx.api.get<{ items: SsoKey[] }>(`${base}/sso/keys`);
    clear(keysHome);
    if (!items.length) return void keysHome.append(h('p', {}, s.noKeys));
    const head = h('tr', {}, [s.kid, s.kind, 'alg', s.createdAt, s.lastUsed, ''].map((c) => h('th', { scope: 'col' }, c)));
    const rows = items.map((k) =>
      h(
        'tr',
        { class: k.retiredAt ? 'retired' : '' },
        h('td', {}, k.kid ?? k.jwksUrl ?? ''),
        h('td', {}, s.kinds[k.kind]),
        h('td', {}, k.alg),
        h('td', {}, when(k.createdAt)),
        h('td', {}, when(k.lastUsedAt)),
        h(
          'td',
          {},
          k.retiredAt
            ? `${s.retired} ${when(k.retiredAt)}`
            : h('button', { type: 'button', onclick: () => ctx.api.send('DELETE', `${base}/sso/keys/${k.id}`).then(() => (ctx.status.say(s.retiredNow), loadKeys()), ctx.fail) }, `${s.retire} ${k.kid ?? ''}`.trim()),
        ),
      ),
    );
    keysHome.append(h('table', {}, h('caption', {}, s.keys), h('thead', {}, head), h('tbody', {}, rows)));
  }

  ctx.api.get<{ site: { settings: { sso: SsoSettings } } }>(base).then(({ site }) => {
    section.append(settingsForm(site.settings.sso), h('h2', {}, s.keys), keysHome, keyForm());
    void loadKeys().catch(ctx.fail);
  }, ctx.fail);
};
