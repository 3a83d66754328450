import { ApiError } from './api';
import { h, uid } from './dom';

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A labelled control with its error line; `path` is the request field whose refusals it shows. */
export function field(label: string, control: Control, path: string): HTMLElement {
  const id = uid('field');
  const error = h('span', { class: 'field-error', id: `${id}-error` });
  control.id = id;
  control.dataset.path = path;
  control.setAttribute('aria-describedby', error.id);
  return h('p', { class: 'field' }, h('label', { for: id }, label), control, error);
}

/**
 * Clears the form's refusals, then shows each of the server's at its field (a detail's path such as
 * `settings.blockedWords.2` names the field `settings.blockedWords`) and moves focus to the first.
 */
export function showErrors(f: HTMLFormElement, err: unknown): void {
  for (const el of Array.from(f.querySelectorAll('[aria-invalid]'))) el.removeAttribute('aria-invalid');
  for (const el of Array.from(f.querySelectorAll('.field-error'))) el.textContent = '';
  if (!(err instanceof ApiError)) return;
  let first: HTMLElement | null = null;
  for (const d of err.details) {
    const control = Array.from(f.querySelectorAll<HTMLElement>('[data-path]')).find((c) => d.path === c.dataset.path || d.path.startsWith(`${c.dataset.path}.`));
    if (!control) continue;
    control.setAttribute('aria-invalid', 'true');
    const error = document.getElementById(control.getAttribute('aria-describedby')!)!;
    error.textContent = [error.textContent, d.message].filter(Boolean).join(' ');
    first ??= control;
  }
  first?.focus();
}
