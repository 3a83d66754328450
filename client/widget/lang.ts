export type Lang = 'en' | 'fr';

/** `data-lang` on the element, else the nearest `lang` attribute (usually `<html lang>`), else English. */
export function pickLang(el: Element): Lang {
  const explicit = el.getAttribute('data-lang');
  const inherited = el.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
  return /^fr\b/i.test(explicit || inherited || '') ? 'fr' : 'en';
}
