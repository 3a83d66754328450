import { ApiError, type Api } from './api';
import { h, uid } from './dom';
import type { Messages } from './i18n';
import type { Session } from './types';

/** The sign-in form. The session cookie is set by Parley (HttpOnly); the page keeps only the CSRF token. */
export function loginView(api: Api, t: Messages, onSignedIn: (session: Session) => void, notice?: string): HTMLElement {
  const emailId = uid('email');
  const passwordId = uid('password');
  const email = h('input', { id: emailId, type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: passwordId, type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'status-alert', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.signIn);
  const form = h(
    'form',
    { class: 'login', novalidate: true },
    h('p', { class: 'field' }, h('label', { for: emailId }, t.email), email),
    h('p', { class: 'field' }, h('label', { for: passwordId }, t.password), password),
    error,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    submit.textContent = t.signingIn;
    api
      .send<Session>('POST', '/auth/login', { email: email.value, password: password.value })
      .then(onSignedIn, (err: unknown) => {
        error.textContent = err instanceof ApiError ? err.message : t.failed;
        password.value = '';
        password.focus();
      })
      .finally(() => {
        submit.disabled = false;
        submit.textContent = t.signIn;
      });
  });
  const main = h(
    'main',
    { class: 'login-page', id: 'main' },
    h('h1', {}, t.signInTitle),
    notice ? h('p', { class: 'status-info', role: 'status' }, notice) : null,
    form,
  );
  queueMicrotask(() => email.focus());
  return main;
}
