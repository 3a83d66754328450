import type { Db } from '../db';
import { getSite } from '../sites/site.service';
import { abusePolicyItems } from '../abuse/abuse.policy';
import { ssoPolicyItems } from '../sso/sso.policy';
import { webhookPolicyItems } from '../webhooks/webhook.privacy';
import { POLICY_LANGUAGES, type PolicyLanguage } from './policy.texts';
import { longestRetentionDays } from './retention.service';

/**
 * GET /privacy: what is kept, why and for how long, in plain words, with the numbers of this site,
 * and where the widget sends a reader to download or erase. Shaped for the widget's "your data" page.
 */
export async function privacyPolicy(deps: { db: Db; mail: boolean }, siteId: string, lang?: PolicyLanguage) {
  const site = await getSite(deps.db, siteId);
  const language = lang ?? site.settings.locale;
  const keyDays = (await longestRetentionDays(deps.db)) + 1;
  const numbers = {
    siteName: site.name,
    retentionDays: site.settings.retentionDays,
    rejectedRetentionDays: site.settings.rejectedRetentionDays,
    keyDays,
    mail: deps.mail,
  };
  const text = POLICY_LANGUAGES[language](numbers);
  return {
    site: { id: site.id, name: site.name },
    lang: language,
    retention: {
      networkHashDays: numbers.retentionDays,
      userAgentDays: numbers.retentionDays,
      rejectedCommentDays: numbers.rejectedRetentionDays,
      networkKeyDays: keyDays,
    },
    ...text,
    // Sign-in through the site's accounts adds what it keeps (only on sites that use it).
    items: [...text.items, ...abusePolicyItems(language), ...ssoPolicyItems(language, site), ...webhookPolicyItems(language)],
    actions: {
      export: { method: 'GET', path: '/api/v1/me/export', auth: 'commenter token' },
      erase: { method: 'DELETE', path: '/api/v1/me', auth: 'commenter token' },
      lostToken: { method: 'POST', path: '/api/v1/privacy/requests', body: ['site', 'email', 'kind'], delivery: deps.mail ? 'mail' : 'admin' },
    },
  };
}
