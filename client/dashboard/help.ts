import { h } from './dom';
import type { Messages } from './i18n';

/** The "?" dialog listing the shortcuts. A native modal dialog: focus is trapped, Escape closes it. */
export function showHelp(t: Messages): void {
  if (document.querySelector('dialog.help[open]')) return;
  const back = document.activeElement as HTMLElement | null;
  const close = h('button', { type: 'button' }, t.close);
  const dialog = h(
    'dialog',
    { class: 'help', 'aria-labelledby': 'help-title' },
    h('h2', { id: 'help-title' }, t.help),
    h('dl', {}, t.shortcuts.flatMap(([key, what]) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, what)])),
    close,
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    back?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}

/** True when a key press belongs to a text field or an open dialog, not to the shortcuts. */
export function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.closest) return false;
  if (el.closest('dialog[open]')) return true;
  if (el.isContentEditable || el.closest('textarea, select')) return true;
  const input = el.closest('input');
  return !!input && !['checkbox', 'radio', 'button', 'submit'].includes(input.type);
}
