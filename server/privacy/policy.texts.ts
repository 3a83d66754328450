/**
 * What GET /privacy says, in plain words, in each language the widget speaks. Numbers come from the
 * site's settings at request time, so the text never promises a period the site does not keep.
 */
export interface PolicyNumbers {
  siteName: string;
  retentionDays: number;
  rejectedRetentionDays: number;
  keyDays: number;
  mail: boolean;
}

export interface PolicyItem {
  id: string;
  title: string;
  what: string;
  why: string;
  howLong: string;
}

export interface PolicyText {
  title: string;
  summary: string;
  items: PolicyItem[];
  rights: Array<{ id: 'export' | 'erase' | 'lost_token'; title: string; text: string }>;
  never: string[];
}

const days = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function en(n: PolicyNumbers): PolicyText {
  const d = (x: number) => days(x, 'day', 'days');
  return {
    title: `Your data on ${n.siteName}`,
    summary:
      'Comments here are run by Parley. We keep only what the comments need, for as short a time as we can, ' +
      'and you can download or erase all of it yourself, at once, as often as you like.',
    items: [
      {
        id: 'comments',
        title: 'Your comments',
        what: 'What you write, with the name and website you give. Earlier versions are kept when you edit a comment.',
        why: 'To show your comments to other readers.',
        howLong: `Until you delete them or erase your data. Comments a moderator rejected or marked as spam are deleted after ${d(n.rejectedRetentionDays)}.`,
      },
      {
        id: 'email',
        title: 'Your email address (optional)',
        what: 'The address you type in the form, if you do.',
        why: 'It is never published. Only this site’s moderators can see it, to contact you, and we use it to send you a link if you lose access to your data.',
        howLong: 'Until you change it or erase your data.',
      },
      {
        id: 'network',
        title: 'Your network',
        what: 'Never your IP address. We keep a fingerprint of your network made with a secret key that changes every day.',
        why: 'To stop floods of messages and spam, to make bans work, and to limit poll votes and likes from one network.',
        howLong: `Erased from your comments after ${d(n.retentionDays)}. In a discussion in slow mode, the time of your last comment there is kept with it for at most an hour. Each day’s key is destroyed after ${d(n.keyDays)}, after which nobody, including us, can link a fingerprint to any address.`,
      },
      {
        id: 'browser',
        title: 'Your browser’s name',
        what: 'The name and version your browser announces (its “user agent”).',
        why: 'To help moderators recognise automated spam.',
        howLong: `Erased after ${d(n.retentionDays)}.`,
      },
      {
        id: 'token',
        title: 'Your commenter key',
        what: 'A random secret your browser keeps so it can act as you. We keep only a one-way fingerprint of it.',
        why: 'To let only you edit or delete your comments, and download or erase your data.',
        howLong: 'Until you erase your data.',
      },
      {
        id: 'reactions',
        title: 'Your likes and reports',
        what: 'Which comments you liked or reported, and the note you add to a report.',
        why: 'To count likes honestly, and to help moderators find harmful comments.',
        howLong: 'Until you erase your data. Then your likes are withdrawn, and your reports stay without anything that links them to you.',
      },
      {
        id: 'votes',
        title: 'Your poll votes',
        what: 'The options you chose in a poll.',
        why: 'To count the results. Nobody else can see how you voted unless you choose to show it.',
        howLong: 'Until you withdraw your vote or erase your data; the results then no longer count it.',
      },
    ],
    rights: [
      { id: 'export', title: 'Download your data', text: 'One file with everything listed here, at once.' },
      {
        id: 'erase',
        title: 'Erase your data',
        text: 'At once, with no waiting period. Your comments become “deleted” placeholders so replies by others keep their place; your name, text, email and everything else about you is gone.',
      },
      {
        id: 'lost_token',
        title: 'Lost access?',
        text: n.mail
          ? 'Ask with the email address you used: we send you a one-time link to download or erase your data.'
          : 'Ask with the email address you used: this site’s team will carry out your request and reply to you.',
      },
    ],
    never: [
      'No cookies on this site’s pages, no tracking, no advertising.',
      'Nothing is loaded from anyone else: your visit is seen only by this site’s comment server.',
      'Your data is never sold or shared.',
    ],
  };
}

function fr(n: PolicyNumbers): PolicyText {
  const d = (x: number) => days(x, 'jour', 'jours');
  return {
    title: `Vos données sur ${n.siteName}`,
    summary:
      'Les commentaires de ce site passent par Parley. Nous ne gardons que ce dont les commentaires ont besoin, ' +
      'le moins longtemps possible, et vous pouvez tout télécharger ou tout effacer vous-même, immédiatement, autant de fois que vous le souhaitez.',
    items: [
      {
        id: 'comments',
        title: 'Vos commentaires',
        what: 'Ce que vous écrivez, avec le nom et le site web que vous indiquez. Les versions précédentes sont gardées quand vous modifiez un commentaire.',
        why: 'Pour montrer vos commentaires aux autres lecteurs.',
        howLong: `Jusqu’à ce que vous les supprimiez ou effaciez vos données. Les commentaires refusés ou classés comme spam par un modérateur sont supprimés après ${d(n.rejectedRetentionDays)}.`,
      },
      {
        id: 'email',
        title: 'Votre adresse e-mail (facultative)',
        what: 'L’adresse que vous saisissez dans le formulaire, si vous le faites.',
        why: 'Elle n’est jamais publiée. Seuls les modérateurs de ce site la voient, pour vous contacter, et nous l’utilisons pour vous envoyer un lien si vous perdez l’accès à vos données.',
        howLong: 'Jusqu’à ce que vous la changiez ou effaciez vos données.',
      },
      {
        id: 'network',
        title: 'Votre réseau',
        what: 'Jamais votre adresse IP. Nous gardons une empreinte de votre réseau, calculée avec une clé secrète qui change chaque jour.',
        why: 'Pour empêcher les envois en rafale et le spam, faire respecter les exclusions et limiter les votes aux sondages et les « j’aime » d’un même réseau.',
        howLong: `Effacée de vos commentaires après ${d(n.retentionDays)}. Dans une discussion en mode lent, l’heure de votre dernier commentaire y est gardée avec elle une heure au plus. La clé de chaque jour est détruite après ${d(n.keyDays)} : plus personne, nous compris, ne peut alors relier une empreinte à une adresse.`,
      },
      {
        id: 'browser',
        title: 'Le nom de votre navigateur',
        what: 'Le nom et la version qu’annonce votre navigateur (son « user agent »).',
        why: 'Pour aider les modérateurs à reconnaître le spam automatisé.',
        howLong: `Effacé après ${d(n.retentionDays)}.`,
      },
      {
        id: 'token',
        title: 'Votre clé de commentateur',
        what: 'Un secret aléatoire que votre navigateur garde pour agir en votre nom. Nous n’en gardons qu’une empreinte irréversible.',
        why: 'Pour que vous seul puissiez modifier ou supprimer vos commentaires, et télécharger ou effacer vos données.',
        howLong: 'Jusqu’à ce que vous effaciez vos données.',
      },
      {
        id: 'reactions',
        title: 'Vos « j’aime » et signalements',
        what: 'Les commentaires que vous avez aimés ou signalés, et la note jointe à un signalement.',
        why: 'Pour compter honnêtement les « j’aime », et aider les modérateurs à trouver les commentaires nuisibles.',
        howLong: 'Jusqu’à ce que vous effaciez vos données. Vos « j’aime » sont alors retirés, et vos signalements restent sans rien qui les relie à vous.',
      },
      {
        id: 'votes',
        title: 'Vos votes aux sondages',
        what: 'Les réponses que vous avez choisies dans un sondage.',
        why: 'Pour compter les résultats. Personne d’autre ne voit votre vote, sauf si vous choisissez de l’afficher.',
        howLong: 'Jusqu’à ce que vous retiriez votre vote ou effaciez vos données ; les résultats ne le comptent alors plus.',
      },
    ],
    rights: [
      { id: 'export', title: 'Télécharger vos données', text: 'Un seul fichier avec tout ce qui est décrit ici, immédiatement.' },
      {
        id: 'erase',
        title: 'Effacer vos données',
        text: 'Immédiatement, sans délai d’attente. Vos commentaires deviennent des emplacements « supprimés » pour que les réponses des autres gardent leur place ; votre nom, vos textes, votre e-mail et tout le reste disparaissent.',
      },
      {
        id: 'lost_token',
        title: 'Accès perdu ?',
        text: n.mail
          ? 'Faites la demande avec l’adresse e-mail utilisée : nous vous envoyons un lien à usage unique pour télécharger ou effacer vos données.'
          : 'Faites la demande avec l’adresse e-mail utilisée : l’équipe de ce site traitera votre demande et vous répondra.',
      },
    ],
    never: [
      'Aucun cookie sur les pages de ce site, aucun pistage, aucune publicité.',
      'Rien n’est chargé depuis un tiers : votre visite n’est vue que par le serveur de commentaires de ce site.',
      'Vos données ne sont jamais vendues ni partagées.',
    ],
  };
}

export const POLICY_LANGUAGES = { en, fr } as const;
export type PolicyLanguage = keyof typeof POLICY_LANGUAGES;
