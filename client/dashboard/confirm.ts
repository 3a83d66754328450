import { h, uid } from './dom';
import type { Messages } from './i18n';

/**
 * Asks before something that cannot be undone, in a native modal dialog (focus starts on Cancel,
 * Escape cancels), rather than the browser's own confirm box, which cannot be styled or translated.
 */
export function confirmDialog(t: Messages, message: string, action: string): Promise<boolean> {
  const back = document.activeElement as HTMLElement | null;
  const titleId = uid('confirm');
  const yes = h('button', { type: 'button', class: 'primary danger' }, action);
  const no = h('button', { type: 'button' }, t.cancel);
  const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId }, h('p', { id: titleId }, message), h('p', { class: 'buttons' }, yes, no));
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    yes.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      back?.focus();
      resolve(answer);
    });
    dialog.showModal();
    no.focus();
  });
}
