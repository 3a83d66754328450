import { ApiError, type Api } from './api';
import { h, uid } from './dom';
import type { Messages } from './i18n';

/** The link's token, from `#set-password=…` (a fragment: never sent to servers or in referrers). */
export function setPasswordToken(): string | null {
  const match = /^#set-password=([\w-]{1,100})$/.exec(location.hash);
  return match ? match[1]! : null;
}

/** A new member chooses their first password with the one-time link an admin passed on. */
export function setPasswordView(api: Api, t: Messages, token: string, onDone: () => void): HTMLElement {
  const passwordId = uid('new-password');
  const password = h('input', { id: passwordId, type: 'password', name: 'new-password', autocomplete: 'new-password', required: true, minlength: 10 });
  const error = h('p', { class: 'status-alert', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.setPassword);
  const form = h('form', { class: 'login', novalidate: true }, h('p', { class: 'field' }, h('label', { for: passwordId }, t.newPassword), password), error, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    api
      .send('POST', '/auth/set-password', { token, password: password.value })
      .then(
        () => {
          history.replaceState(null, '', location.pathname + location.search);
          onDone();
        },
        (err: unknown) => {
          error.textContent = err instanceof ApiError ? err.message : t.failed;
          password.focus();
        },
      )
      .finally(() => (submit.disabled = false));
  });
  queueMicrotask(() => password.focus());
  return h('main', { class: 'login-page', id: 'main' }, h('h1', {}, t.choosePasswordTitle), form);
}
