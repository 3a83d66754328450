import type { Db } from '../../server/db';
import { newId } from '../../server/ids';
import type { SiteSettings } from '../../server/sites/site.schema';
import type { TestParley } from './parley';

export const SITE_ORIGIN = 'https://news.example';

export async function buildSite(
  db: Db,
  overrides: { id?: string; origins?: string[]; settings?: Partial<SiteSettings> } = {},
) {
  return db
    .insertInto('sites')
    .values({
      id: overrides.id ?? `site-${newId().slice(0, 8)}`,
      name: 'The Daily Example',
      origins: JSON.stringify(overrides.origins ?? [SITE_ORIGIN]),
      settings: JSON.stringify(overrides.settings ?? {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildThread(db: Db, siteId: string, overrides: { key?: string; state?: 'open' | 'closed'; mode?: 'pre' | 'post' | 'first_time' | null } = {}) {
  return db
    .insertInto('threads')
    .values({
      id: newId(),
      site_id: siteId,
      key: overrides.key ?? `article-${newId().slice(0, 6)}`,
      url: 'https://news.example/articles/1',
      title: 'How would you resolve this stand-off?',
      state: overrides.state ?? 'open',
      mode: overrides.mode ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Posts a comment through the real API, as a reader would. */
export async function postComment(
  parley: TestParley,
  threadId: string,
  body: Record<string, unknown>,
  token?: string,
) {
  let req = parley.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json');
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  return req.send(body);
}
