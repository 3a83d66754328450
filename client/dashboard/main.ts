import { ApiError, createApi } from './api';
import type { Ctx } from './context';
import { clear } from './dom';
import { type Lang, messages, pickLang, rememberLang } from './i18n';
import { createLive, type Live } from './live';
import { loginView } from './login';
import { setPasswordToken, setPasswordView } from './set-password';
import { renderShell } from './shell';
import { createStatus } from './status';
import type { Session } from './types';

/**
 * `/moderate`: signs the member in (or finds their session), then shows the dashboard for the site
 * they chose last time in this browser.
 */
const SITE_KEY = 'parley-dashboard:site';
const root = document.getElementById('app')!;
let lang: Lang = pickLang();
let session: Session | null = null;
let live: Live | null = null;
let disposeShell: (() => void) | null = null;

const api = createApi({ offline: () => messages(lang).offline, onSignedOut: () => showLogin(session ? messages(lang).signedOut : undefined) });

function setLanguage(): void {
  document.documentElement.lang = lang;
  document.title = messages(lang).title;
}

function teardown(): void {
  disposeShell?.();
  disposeShell = null;
  live?.close();
  live = null;
}

function showLogin(notice?: string): void {
  teardown();
  session = null;
  api.setCsrf(null);
  setLanguage();
  clear(root);
  root.append(loginView(api, messages(lang), signedIn, notice));
}

function showDashboard(next: Session): void {
  teardown();
  session = next;
  api.setCsrf(next.csrfToken);
  setLanguage();
  const t = messages(lang);
  if (next.sites.length === 0) {
    showLogin(t.failed);
    return;
  }
  const site = next.sites.find((s) => s.id === localStorage.getItem(SITE_KEY)) ?? next.sites[0]!;
  live = createLive();
  const status = createStatus();
  const ctx: Ctx = {
    api,
    t,
    lang,
    session: next,
    site,
    status,
    live,
    fail: (err) => status.fail(err instanceof ApiError ? err.message : t.failed),
  };
  disposeShell = renderShell(ctx, root, {
    switchSite(siteId) {
      localStorage.setItem(SITE_KEY, siteId);
      if (session) showDashboard(session);
      document.querySelector<HTMLElement>('header.top select')?.focus();
    },
    switchLanguage() {
      lang = lang === 'en' ? 'fr' : 'en';
      rememberLang(lang);
      if (session) showDashboard(session);
    },
    signOut() {
      api.send('POST', '/auth/logout').then(
        () => showLogin(messages(lang).signedOut),
        (err: unknown) => ctx.fail(err),
      );
    },
  });
}

/** After signing in, focus goes to the page's main region, so the next key press (or a screen reader) starts there. */
function signedIn(next: Session): void {
  showDashboard(next);
  document.getElementById('main')?.focus();
}

async function boot(): Promise<void> {
  setLanguage();
  const token = setPasswordToken();
  if (token) {
    root.append(setPasswordView(api, messages(lang), token, () => showLogin(messages(lang).passwordSet)));
    return;
  }
  try {
    showDashboard(await api.get<Session>('/auth/me'));
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) showLogin(messages(lang).offline);
    // a 401 has already shown the sign-in form (onSignedOut)
  }
}

void boot();
