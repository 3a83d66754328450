import { type Ctx, canAdminister, canModerate, type Panel } from './context';
import { clear, h, uid } from './dom';
import { showHelp, typingIn } from './help';
import { bansPanel } from './panels/bans';
import { logPanel } from './panels/log';
import { mailPanel } from './panels/mail';
import { privacyPanel, privacyAvailable } from './panels/privacy';
import { settingsPanel } from './panels/settings';
import { ssoPanel } from './panels/sso';
import { webhooksPanel } from './panels/webhooks';
import { presetsPanel } from './panels/presets';
import { threadsPanel } from './panels/threads';
import { queuePanel } from './queue/panel';
import type { Role } from './types';

interface Section {
  id: string;
  label: (ctx: Ctx) => string;
  allowed: (role: Role) => boolean;
  panel: Panel;
}

const SECTIONS: Section[] = [
  { id: 'queue', label: (c) => c.t.queues, allowed: canModerate, panel: queuePanel },
  { id: 'threads', label: (c) => c.t.threads, allowed: () => true, panel: threadsPanel },
  { id: 'bans', label: (c) => c.t.bans, allowed: canModerate, panel: bansPanel },
  { id: 'log', label: (c) => c.t.log, allowed: canModerate, panel: logPanel },
  { id: 'mail', label: (c) => c.t.mail.nav, allowed: canModerate, panel: mailPanel },
  { id: 'settings', label: (c) => c.t.settings, allowed: canAdminister, panel: settingsPanel },
  { id: 'privacy', label: (c) => c.t.privacy, allowed: canAdminister, panel: privacyPanel },
  { id: 'sso', label: (c) => c.t.sso.nav, allowed: canAdminister, panel: ssoPanel },
  { id: 'webhooks', label: (c) => c.t.webhooks.nav, allowed: canAdminister, panel: webhooksPanel },
  { id: 'presets', label: (c) => c.t.presets.nav, allowed: canAdminister, panel: presetsPanel },
];

export interface ShellActions {
  switchSite(siteId: string): void;
  switchLanguage(): void;
  signOut(): void;
}

/**
 * The page around the panels: the site switcher, the language switch, sign-out and the sections.
 * Sections are addressed by the URL's hash (`#queue/pending`, `#bans`…), so Back and reload work.
 */
export function renderShell(ctx: Ctx, root: HTMLElement, actions: ShellActions): () => void {
  const siteId = uid('site');
  const select = h(
    'select',
    { id: siteId },
    ctx.session.sites.map((s) => h('option', { value: s.id, selected: s.id === ctx.site.id }, `${s.name} (${s.id})`)),
  );
  select.addEventListener('change', () => actions.switchSite(select.value));
  const lang = h('button', { type: 'button', lang: ctx.lang === 'en' ? 'fr' : 'en', 'aria-label': ctx.t.languageLabel }, ctx.t.language);
  lang.addEventListener('click', () => actions.switchLanguage());
  const signOut = h('button', { type: 'button' }, ctx.t.signOut);
  signOut.addEventListener('click', () => actions.signOut());
  const help = h('button', { type: 'button', 'aria-keyshortcuts': '?' }, ctx.t.helpButton);
  help.addEventListener('click', () => showHelp(ctx.t));

  const visible = SECTIONS.filter((s) => s.allowed(ctx.site.role) && s.id !== 'privacy');
  const links = new Map<string, HTMLAnchorElement>();
  const navList = h('ul', {});
  const addLink = (s: Section) => {
    const a = h('a', { href: `#${s.id}` }, s.label(ctx));
    links.set(s.id, a);
    navList.append(h('li', {}, a));
  };
  visible.forEach(addLink);
  // Lost-token requests are listed only where the server offers them.
  const privacy = SECTIONS.find((s) => s.id === 'privacy')!;
  if (privacy.allowed(ctx.site.role)) {
    void privacyAvailable(ctx).then((ok) => {
      if (!ok) return;
      visible.push(privacy);
      addLink(privacy);
      if (current() === 'privacy') route();
    });
  }

  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(root);
  root.append(
    h(
      'header',
      { class: 'top' },
      h('p', { class: 'brand' }, ctx.t.title),
      h('p', { class: 'site' }, h('label', { for: siteId }, ctx.t.site), select),
      h('p', { class: 'member' }, ctx.session.member.name),
      h('p', { class: 'tools' }, help, lang, signOut),
    ),
    h('nav', { 'aria-label': ctx.t.mainNav, class: 'sections' }, navList),
    ctx.status.element,
    main,
  );

  const current = () => location.hash.slice(1).split('/')[0] || '';
  let dispose: (() => void) | void;
  function route(): void {
    const [id, arg] = location.hash.slice(1).split('/');
    const section = visible.find((s) => s.id === id) ?? visible[0]!;
    for (const [sid, a] of links) {
      if (sid === section.id) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    dispose?.();
    clear(main);
    dispose = section.panel(ctx, main, arg);
  }

  const onKey = (e: KeyboardEvent) => {
    if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey && !typingIn(e.target)) {
      e.preventDefault();
      showHelp(ctx.t);
    }
  };
  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', onKey);
  route();
  return () => {
    dispose?.();
    window.removeEventListener('hashchange', route);
    document.removeEventListener('keydown', onKey);
  };
}
