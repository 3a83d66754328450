import type { PolicyItem } from '../privacy/policy.texts';

/**
 * What GET /privacy adds for a site whose readers sign in with its own accounts (SPEC §13): the
 * account link, the per-device keys, and the single-use records of each sign-in.
 */
const TEXTS: Record<'en' | 'fr', (siteName: string) => PolicyItem[]> = {
  en: (site) => [
    {
      id: 'account',
      title: `Your ${site} account`,
      what: `When you sign in with your ${site} account: its id, and the name, email, website and badge that ${site} sends with it (the latest sign-in replaces the earlier ones). Never your password: Parley never sees it.`,
      why: 'To show your comments under your account’s name and badge, and to recognise you on every device.',
      howLong: `Until you erase your data, or ${site} erases your account here.`,
    },
    {
      id: 'sign_in_records',
      title: 'Your sign-ins',
      what: 'A one-way fingerprint of the key each device you signed in on keeps; a fingerprint of each sign-in’s single-use id, linked to nobody; and, for one minute, the details of a sign-in that is being handed over.',
      why: 'To keep each device signed in, and so that a sign-in cannot be used twice.',
      howLong: `Device keys: until you sign out everywhere or erase your data. Sign-in records: deleted once the sign-in would have expired (at most a few minutes).`,
    },
  ],
  fr: (site) => [
    {
      id: 'account',
      title: `Votre compte ${site}`,
      what: `Quand vous vous connectez avec votre compte ${site} : son identifiant, et le nom, l’e-mail, le site web et le badge que ${site} envoie avec lui (la dernière connexion remplace les précédentes). Jamais votre mot de passe : Parley ne le voit pas.`,
      why: 'Pour afficher vos commentaires sous le nom et le badge de votre compte, et vous reconnaître sur chaque appareil.',
      howLong: `Jusqu’à ce que vous effaciez vos données, ou que ${site} efface votre compte ici.`,
    },
    {
      id: 'sign_in_records',
      title: 'Vos connexions',
      what: 'Une empreinte irréversible de la clé que garde chaque appareil connecté ; une empreinte de l’identifiant à usage unique de chaque connexion, reliée à personne ; et, pendant une minute, les informations d’une connexion en cours de transmission.',
      why: 'Pour garder chaque appareil connecté, et pour qu’une connexion ne puisse pas servir deux fois.',
      howLong: 'Clés des appareils : jusqu’à ce que vous vous déconnectiez partout ou effaciez vos données. Connexions : supprimées dès qu’elles auraient expiré (quelques minutes au plus).',
    },
  ],
};

export function ssoPolicyItems(language: 'en' | 'fr', site: { name: string; settings: { sso: { mode: string } } }): PolicyItem[] {
  return site.settings.sso.mode === 'off' ? [] : TEXTS[language](site.name);
}
