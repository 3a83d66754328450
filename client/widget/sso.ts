import type { Ctx } from './context';
import { h } from './dom';
import type { CommentView } from './types';

/**
 * Sign-in through the publisher's own accounts: a module of its own, loaded only on sites that use
 * it. It exchanges the page's token or code for a commenter token (kept per site, beside the
 * reader's anonymous one, which comes back on sign-out unless its comments were carried over), shows "Signed in as … · Sign out", and in
 * `required` mode replaces the form with a link to the publisher's sign-in page. A reader who wrote
 * anonymously in this browser is asked once whether to show those comments under the account.
 */
export interface SsoConfig {
  mode: 'optional' | 'required';
  loginUrl: string | null;
  logoutUrl: string | null;
}
export interface SsoModule {
  signIn: typeof signIn;
}

const TEXT = {
  en: {
    signedInAs: 'Signed in as',
    signOut: 'Sign out',
    signInToComment: 'Sign in to comment',
    signIn: 'Sign in',
    claim: (n: number) => `Show under this account the ${n} comment${n > 1 ? "s" : ""} you wrote here before signing in?`,
    yes: 'Yes',
    no: 'No',
  },
  fr: {
    signedInAs: 'Connecté en tant que',
    signOut: 'Se déconnecter',
    signInToComment: 'Connectez-vous pour commenter',
    signIn: 'Se connecter',
    claim: (n: number) => `Afficher sous ce compte ${n > 1 ? `les ${n} commentaires` : 'le commentaire'} écrit${n > 1 ? 's' : ''} ici avant de vous connecter ?`,
    yes: 'Oui',
    no: 'Non',
  },
};

const CSS = `.sso-gated{display:none!important}.sso{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:0 0 .75rem;color:var(--muted)}.sso strong{color:var(--text)}.badge.reader{background:transparent;color:var(--accent);box-shadow:inset 0 0 0 1px currentColor;font-weight:600}`;

interface Session {
  token: string;
  name: string | null;
  /** Earlier anonymous comments to offer carrying over, once. */
  claim?: number;
}

/** The page's token or code already exchanged, per widget: a re-render does not sign in twice. */
const handled = new WeakMap<HTMLElement, string>();

/** Signs in with the publisher's token or code; the reader's stored token goes along so it is kept when it is the same account. */
async function exchange(
  ctx: Ctx,
  site: string,
  given: { token?: string; code?: string },
): Promise<{ commenterToken: string; commenter: { name: string | null }; claimable?: { comments: number } } | null> {
  const held = ctx.store.token();
  const res = await fetch(`${ctx.origin}/api/v1/sso/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(held ? { Authorization: `Bearer ${held}` } : {}) },
    body: JSON.stringify({ site, ...given }),
    credentials: 'omit',
    cache: 'no-store',
  }).catch(() => null);
  // A token already used or expired leaves the reader as they were.
  return res?.ok ? res.json() : null;
}

const withReturn = (url: string) => {
  const u = new URL(url, location.href);
  u.searchParams.set('returnTo', location.href.split('#')[0]!);
  return u.href;
};

export async function signIn(ctx: Ctx, host: HTMLElement, site: string, conf: SsoConfig | undefined, remount: () => void) {
  const t = TEXT[ctx.lang];
  const key = `sso:${site}`;
  let session: Session | null = null;
  try {
    session = JSON.parse(ctx.store.get(key) ?? 'null');
  } catch {
    /* unreadable: signed out */
  }
  const end = () => {
    ctx.store.setToken(ctx.store.get('anon-token'));
    ctx.store.set('anon-token', null);
    ctx.store.set(key, null);
    session = null;
  };
  // The server forgot the token (logged out everywhere, erased): the session is over.
  if (session && ctx.store.token() !== session.token) end();

  const code = host.getAttribute('data-sso-code');
  const given = code ?? host.getAttribute('data-sso-token');
  if (given === '') {
    if (session) end();
  } else if (given && handled.get(host) !== given) {
    handled.set(host, given);
    const res = await exchange(ctx, site, code ? { code } : { token: given });
    if (res) {
      if (!session) ctx.store.set('anon-token', ctx.store.token());
      ctx.store.setToken(res.commenterToken);
      session = { token: res.commenterToken, name: res.commenter.name, claim: res.claimable?.comments };
      ctx.store.set(key, JSON.stringify(session));
    }
  }

  const me = session;
  // A comment that arrives live under the reader's own name is asked about: another tab may have posted it.
  if (me) {
    ctx.recognise = (c: CommentView) => {
      if (c.mine || c.author.name !== me.name) return;
      void ctx.api<{ comment: CommentView }>('GET', `/comments/${c.id}`).then(({ comment }) => {
        if (!comment.mine) return;
        Object.assign(c, comment);
        (ctx.nodes.get(c.id) as unknown as { update?(v: CommentView): void } | undefined)?.update?.(comment);
      }, () => undefined);
    };
  }

  return (formHome: HTMLElement, form: HTMLFormElement | null) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    ctx.root.adoptedStyleSheets = [...ctx.root.adoptedStyleSheets, sheet];
    const bar = h('p', { class: 'sso' });
    if (me) {
      const out = () => {
        end();
        if (conf?.logoutUrl) location.assign(withReturn(conf.logoutUrl));
        else remount();
      };
      bar.append(t.signedInAs, ' ', h('strong', {}, me.name ?? ctx.t.anonymous), ' · ', h('button', { type: 'button', class: 'link', onclick: out }, t.signOut));
      const anon = ctx.store.get('anon-token');
      if (me.claim && anon) {
        // Asked once: the question is not stored again, whatever the answer.
        ctx.store.set(key, JSON.stringify({ token: me.token, name: me.name }));
        const offer = h('p', { class: 'sso' }, t.claim(me.claim), ' ');
        const yes = () =>
          fetch(`${ctx.origin}/api/v1/sso/claim`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${me.token}` },
            body: JSON.stringify({ commenterToken: anon }),
            credentials: 'omit',
          }).then((r) => {
            // Carried over: the anonymous token no longer works, so signing out starts a new anonymous reader.
            if (r.ok) ctx.store.set('anon-token', null);
            remount();
          }, () => offer.remove());
        offer.append(h('button', { type: 'button', class: 'link', onclick: yes }, t.yes), ' · ', h('button', { type: 'button', class: 'link', onclick: () => offer.remove() }, t.no));
        formHome.prepend(offer);
      }
      // The name, email and website come from the account: the form does not ask for them.
      form?.querySelectorAll<HTMLElement>('.identity, .remember').forEach((el) => (el.hidden = true));
    } else if (conf?.mode === 'required') {
      // A class, not `hidden`: the widget shows and hides the form's area as the thread opens and closes.
      form?.classList.add('sso-gated');
      bar.append(conf.loginUrl ? h('a', { href: withReturn(conf.loginUrl) }, t.signInToComment) : t.signInToComment);
    } else if (conf?.loginUrl) {
      bar.append(h('a', { href: withReturn(conf.loginUrl) }, t.signIn));
    } else return;
    formHome.prepend(bar);
  };
}
