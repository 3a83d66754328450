import { h } from './dom';

/**
 * One polite live region for what just happened ("Approved.") and one alert for what failed, so a
 * screen reader hears every outcome without focus moving.
 */
export interface Status {
  readonly element: HTMLElement;
  say(message: string): void;
  fail(message: string): void;
}

export function createStatus(): Status {
  const info = h('p', { class: 'status-info', role: 'status', 'aria-live': 'polite' });
  const alert = h('p', { class: 'status-alert', role: 'alert' });
  const element = h('div', { class: 'status' }, info, alert);
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    element,
    say(message) {
      alert.textContent = '';
      info.textContent = message;
      clearTimeout(timer);
      timer = setTimeout(() => (info.textContent = ''), 6000);
    },
    fail(message) {
      info.textContent = '';
      alert.textContent = message;
    },
  };
}
