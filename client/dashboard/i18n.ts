import { en, type Messages } from './messages.en';
import { fr } from './messages.fr';

/**
 * The dashboard's words, in English and French. The language is the member's choice (the switch in
 * the header, kept in this browser), else the browser's language.
 */
export type { Messages };

export type Lang = 'en' | 'fr';
const LANG_KEY = 'parley-dashboard:lang';

export function pickLang(): Lang {
  const chosen = localStorage.getItem(LANG_KEY);
  if (chosen === 'en' || chosen === 'fr') return chosen;
  return /^fr\b/i.test(navigator.language || '') ? 'fr' : 'en';
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
}

export function messages(lang: Lang): Messages {
  return lang === 'fr' ? fr : en;
}

export function formatDate(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
