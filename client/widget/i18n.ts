/**
 * English and French. The language comes from `data-lang` on the widget's element, else the
 * nearest `lang` attribute (usually `<html lang>`), else English.
 */
const en = {
  comments: 'Comments',
  count: (n: number) => (n === 0 ? 'No comments yet' : n === 1 ? '1 comment' : `${n} comments`),
  sortBy: 'Sort by',
  oldest: 'Oldest first',
  newest: 'Newest first',
  top: 'Most liked',
  loadMore: 'Show more comments',
  showReplies: (n: number, more: boolean) => `Show ${n} ${more ? 'more ' : ''}${n === 1 ? 'reply' : 'replies'}`,
  reply: 'Reply',
  quote: 'Quote',
  replyingTo: 'Replying to',
  cancel: 'Cancel',
  anonymous: 'Anonymous',
  edited: 'edited',
  deleted: 'This comment was deleted.',
  pending: 'Awaiting moderation. Only you can see this comment for now.',
  badges: { journalist: 'Journalist', moderator: 'Moderator', admin: 'Staff', author: 'Author' } as Record<string, string>,
  leaveComment: 'Leave a comment',
  comment: 'Comment',
  required: 'required',
  name: 'Name',
  nameHint: 'Leave empty to post as “Anonymous”.',
  email: 'Email',
  emailHint: 'Never published.',
  website: 'Website',
  remember: 'Remember my name, email and website in this browser',
  post: 'Post comment',
  postReply: 'Post reply',
  posting: 'Posting…',
  preview: 'Preview',
  write: 'Write',
  previewEmpty: 'Nothing to preview yet.',
  formatting: 'Formatting: *italic*, **bold**, > quote, `code`. Links become clickable.',
  posted: 'Your comment is published.',
  postedPending: 'Your comment was received and is awaiting moderation.',
  honeypot: 'Leave this field empty',
  offline: 'Could not reach the comment server. Your text is kept; please try again.',
  retryIn: (s: number) => `Try again in ${s} s.`,
  closed: 'Comments are closed on this article.',
  loading: 'Loading comments…',
  loadFailed: 'The comments could not be loaded.',
  retry: 'Try again',
  permalink: 'Link to this comment',
  inReplyTo: 'in reply to',
  you: 'you',
  linked: 'Linked comment',
  poll: 'Poll',
  vote: 'Vote',
  changeVote: 'Change my vote',
  withdraw: 'Withdraw my vote',
  votes: (n: number) => (n === 1 ? '1 vote' : `${n} votes`),
  people: (n: number) => (n === 0 ? 'No votes yet.' : n === 1 ? '1 person voted.' : `${n} people voted.`),
  chooseOne: 'Choose one answer.',
  chooseUpTo: (n: number) => `Choose up to ${n} answers.`,
  chooseFirst: 'Choose an answer first.',
  yourVote: 'your vote',
  afterVote: 'Results are shown once you have voted.',
  afterClose: 'Results are shown when the poll closes.',
  pollClosed: 'This poll is closed.',
  closes: (date: string) => `Closes ${date}.`,
  voted: 'Thank you, your vote is counted.',
  withdrawn: 'Your vote was withdrawn.',
};

export type Strings = typeof en;

const fr: Strings = {
  comments: 'Commentaires',
  count: (n) => (n === 0 ? 'Aucun commentaire pour l’instant' : n === 1 ? '1 commentaire' : `${n} commentaires`),
  sortBy: 'Trier par',
  oldest: 'Plus anciens d’abord',
  newest: 'Plus récents d’abord',
  top: 'Les plus appréciés',
  loadMore: 'Afficher plus de commentaires',
  showReplies: (n, more) => `Afficher ${n} ${n === 1 ? 'réponse' : 'réponses'}${more ? ' de plus' : ''}`,
  reply: 'Répondre',
  quote: 'Citer',
  replyingTo: 'En réponse à',
  cancel: 'Annuler',
  anonymous: 'Anonyme',
  edited: 'modifié',
  deleted: 'Ce commentaire a été supprimé.',
  pending: 'En attente de modération. Vous seul voyez ce commentaire pour l’instant.',
  badges: { journalist: 'Journaliste', moderator: 'Modération', admin: 'Équipe', author: 'Auteur' },
  leaveComment: 'Laisser un commentaire',
  comment: 'Commentaire',
  required: 'obligatoire',
  name: 'Nom',
  nameHint: 'Laissez vide pour publier en « Anonyme ».',
  email: 'E-mail',
  emailHint: 'Jamais publié.',
  website: 'Site web',
  remember: 'Mémoriser mon nom, mon e-mail et mon site web dans ce navigateur',
  post: 'Publier le commentaire',
  postReply: 'Publier la réponse',
  posting: 'Publication…',
  preview: 'Aperçu',
  write: 'Écrire',
  previewEmpty: 'Rien à prévisualiser pour l’instant.',
  formatting: 'Mise en forme : *italique*, **gras**, > citation, `code`. Les liens deviennent cliquables.',
  posted: 'Votre commentaire est publié.',
  postedPending: 'Votre commentaire a été reçu et attend la modération.',
  honeypot: 'Laissez ce champ vide',
  offline: 'Impossible de joindre le serveur de commentaires. Votre texte est conservé ; réessayez.',
  retryIn: (s) => `Réessayez dans ${s} s.`,
  closed: 'Les commentaires sont fermés sur cet article.',
  loading: 'Chargement des commentaires…',
  loadFailed: 'Les commentaires n’ont pas pu être chargés.',
  retry: 'Réessayer',
  permalink: 'Lien vers ce commentaire',
  inReplyTo: 'en réponse à',
  you: 'vous',
  linked: 'Commentaire en lien',
  poll: 'Sondage',
  vote: 'Voter',
  changeVote: 'Modifier mon vote',
  withdraw: 'Retirer mon vote',
  votes: (n) => (n <= 1 ? `${n} vote` : `${n} votes`),
  people: (n) => (n === 0 ? 'Aucun vote pour l’instant.' : n === 1 ? '1 personne a voté.' : `${n} personnes ont voté.`),
  chooseOne: 'Choisissez une réponse.',
  chooseUpTo: (n) => `Choisissez jusqu’à ${n} réponses.`,
  chooseFirst: 'Choisissez d’abord une réponse.',
  yourVote: 'votre vote',
  afterVote: 'Les résultats s’affichent une fois que vous avez voté.',
  afterClose: 'Les résultats s’affichent à la clôture du sondage.',
  pollClosed: 'Ce sondage est clos.',
  closes: (date) => `Clôture le ${date}.`,
  voted: 'Merci, votre vote est compté.',
  withdrawn: 'Votre vote a été retiré.',
};

import type { Lang } from './lang';
export { type Lang, pickLang } from './lang';

export function strings(lang: Lang): Strings {
  return lang === 'fr' ? fr : en;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
];

/** "3 hours ago" for the last week, then the date: what readers of a news site expect. */
export function relativeTime(iso: string, lang: Lang, now = Date.now()): string {
  const then = Date.parse(iso);
  let delta = Math.round((then - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) < size) return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(delta, unit);
    delta = Math.round(delta / size);
  }
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(then);
}

export function fullTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }).format(Date.parse(iso));
}
