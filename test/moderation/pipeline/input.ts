import type { Thread } from '../../../db/schema';
import { countLinks, plainText, renderBody } from '../../../server/comments/comment.render';
import type { RuleInput } from '../../../server/moderation/pipeline';
import { type SiteSettings, SiteSettingsSchema } from '../../../server/sites/site.schema';

/** A rule's input as postComment builds it, from a Markdown body and a few settings. */
export function ruleInput(
  body: string,
  options: { settings?: Partial<SiteSettings>; thread?: Partial<Thread>; author?: Partial<RuleInput['author']> } = {},
): RuleInput {
  const html = renderBody(body);
  return {
    site: {
      id: 'daily',
      name: 'The Daily Example',
      origins: [],
      settings: SiteSettingsSchema.parse(options.settings ?? {}),
      created_at: new Date(),
      updated_at: new Date(),
      queue_version: '0',
      webhook_endpoints: 0,
    },
    thread: {
      id: 't',
      site_id: 'daily',
      key: 'k',
      url: null,
      title: null,
      state: 'open',
      mode: null,
      comment_count: 0,
      seq: 0,
      page_version: 0,
      created_at: new Date(),
      last_comment_at: null,
      slow_mode_seconds: null,
      slow_auto_seconds: null,
      slow_auto_until: null,
      speed_window_at: null,
      speed_window_posts: 0,
      format: 'comments',
      featured_count: 0,
      closes_at: null,
      reopens_at: null,
      links_allowed: true,
      ...options.thread,
    },
    body: { source: body, html, text: plainText(html), links: countLinks(html) },
    author: { isMember: false, approvedCount: 3, banned: false, ...options.author },
    form: {},
    isEdit: false,
  };
}
