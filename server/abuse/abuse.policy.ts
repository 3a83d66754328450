import type { PolicyItem } from '../privacy/policy.texts';
import { FINGERPRINT_HOURS, SAMPLE_DAYS } from './abuse.privacy';

/** What GET /privacy says about the abuse defence (SPEC §11): every check runs on this server. */
const TEXTS: Record<'en' | 'fr', PolicyItem[]> = {
  en: [
    {
      id: 'abuse_defence',
      title: 'Spam and abuse checks',
      what: `For each comment: a risk score with its reasons (tables comments.risk, comments.risk_reasons); a fingerprint of its text with the one-way fingerprint of your network (abuse_fingerprints); and, once a moderator decides on it or it has stayed published for a day, the words and link domains it contains with that outcome (abuse_samples). The site's spam model keeps only totals and weights over all comments (abuse_models, abuse_features, abuse_regressions), which name no one.`,
      why: 'To catch spam and repeated posts on this server: no comment is sent to an outside service to be judged.',
      howLong: `Fingerprints: ${FINGERPRINT_HOURS} hours. Samples: ${SAMPLE_DAYS} days, or until the comment is deleted. Scores and reasons: as long as the comment. Erasing your data removes all of it.`,
    },
  ],
  fr: [
    {
      id: 'abuse_defence',
      title: 'Contrôles contre le spam et les abus',
      what: `Pour chaque commentaire : un score de risque et ses raisons (comments.risk, comments.risk_reasons) ; une empreinte de son texte avec l’empreinte irréversible de votre réseau (abuse_fingerprints) ; et, quand un modérateur en décide ou qu’il est resté publié un jour, les mots et domaines de liens qu’il contient avec cette issue (abuse_samples). Le modèle anti-spam du site ne garde que des totaux et des poids sur tous les commentaires (abuse_models, abuse_features, abuse_regressions), qui ne désignent personne.`,
      why: 'Pour repérer le spam et les messages répétés sur ce serveur : aucun commentaire n’est envoyé à un service extérieur pour être jugé.',
      howLong: `Empreintes : ${FINGERPRINT_HOURS} heures. Échantillons : ${SAMPLE_DAYS} jours, ou jusqu’à la suppression du commentaire. Scores et raisons : autant que le commentaire. Effacer vos données supprime tout cela.`,
    },
  ],
};

export function abusePolicyItems(language: 'en' | 'fr'): PolicyItem[] {
  return TEXTS[language];
}
