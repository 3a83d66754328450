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
    {
      id: 'ban_after_erasure',
      title: 'A ban that outlasts erasure',
      what: `If you are banned from commenting when your data is erased, one thing is kept: a keyed fingerprint of your ${site} account id, with the date the ban ends. Nothing else — not your name, your comments or the reason. An anonymous reader's ban is erased with them, as that identity cannot come back.`,
      why: `You can sign in again with the same ${site} account, so erasing your data must not lift a ban; the fingerprint only recognises that account when it signs in again, and the ban then applies to it.`,
      howLong: 'Until the ban ends; a ban for ever is kept for ever.',
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
    {
      id: 'ban_after_erasure',
      title: 'Une exclusion qui survit à l’effacement',
      what: `Si vous êtes exclu des commentaires quand vos données sont effacées, une seule chose est gardée : une empreinte à clé de l’identifiant de votre compte ${site}, avec la date de fin de l’exclusion. Rien d’autre : ni votre nom, ni vos commentaires, ni le motif. L’exclusion d’un lecteur anonyme est effacée avec lui, car cette identité ne peut pas revenir.`,
      why: `Vous pouvez vous reconnecter avec le même compte ${site} : effacer vos données ne doit donc pas lever une exclusion ; l’empreinte sert seulement à reconnaître ce compte quand il se reconnecte, et l’exclusion s’applique alors à lui.`,
      howLong: 'Jusqu’à la fin de l’exclusion ; une exclusion définitive est gardée définitivement.',
    },
  ],
};

export function ssoPolicyItems(language: 'en' | 'fr', site: { name: string; settings: { sso: { mode: string } } }): PolicyItem[] {
  return site.settings.sso.mode === 'off' ? [] : TEXTS[language](site.name);
}
