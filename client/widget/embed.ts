import { mount } from './widget';

/**
 * embed.js: renders Parley into every `<div data-parley data-site data-key>` on the page. Parley's
 * address is taken from this script's own URL, so the widget talks to the server that served it and
 * to nothing else.
 */
const script =
  (document.currentScript as HTMLScriptElement | null) ??
  Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]')).find((s) => /\/embed\.js(\?|$)/.test(s.src));
const origin = new URL(script?.src ?? location.href, location.href).origin;
/** Each widget on the page and what stops it, so a sign-in or sign-out can render it again. */
const mounted = new Map<HTMLElement, Promise<() => void>>();

function start(el: HTMLElement): void {
  void mounted.get(el)?.then((stop) => stop());
  mounted.set(el, mount(el, origin, () => start(el)));
}

function mountAll(): void {
  document.querySelectorAll<HTMLElement>('[data-parley]').forEach((el) => mounted.has(el) || start(el));
}

/**
 * `window.parley.login(tokenOrCode)` / `logout()`, for the publisher's own script: the same as
 * setting `data-sso-token` (or `data-sso-code`) on every widget, or emptying it.
 */
function signIn(value: string): void {
  document.querySelectorAll<HTMLElement>('[data-parley]').forEach((el) => {
    el.removeAttribute('data-sso-code');
    el.setAttribute(value.startsWith('sc_') ? 'data-sso-code' : 'data-sso-token', value);
    start(el);
  });
}
(window as unknown as { parley: object }).parley = { login: signIn, logout: () => signIn('') };

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
else mountAll();
