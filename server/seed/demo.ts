import { sql } from 'kysely';
import type { Comment } from '../../db/schema';
import { type Db, inTransaction } from '../db';
import { recordChange } from '../comments/comment.changes';
import { renderBody } from '../comments/comment.render';
import * as commentRepo from '../comments/comment.repo';
import type { EventBus } from '../events';
import { newId } from '../ids';
import * as pollRepo from '../polls/poll.repo';
import * as siteRepo from '../sites/site.repo';
import * as threadRepo from '../threads/thread.repo';
import sample from './naked-security.json';

export const DEMO_SITE_ID = sample.site.id;
export const DEMO_THREAD_KEY = sample.thread.key;
export const demoArticle = sample.thread;
export const demoPoll = sample.poll;

/**
 * The first run's demo: the `demo` site (allowing Parley's own origin) and the Naked Security thread
 * with its readers' comments, threaded as they replied. Runs on every start and only adds what is
 * missing, so a changed PUBLIC_URL is allowed too.
 */
export async function ensureDemo(deps: { db: Db; bus: EventBus }, ownOrigin: string): Promise<{ created: boolean }> {
  if (await siteRepo.findSite(deps.db, DEMO_SITE_ID)) {
    await allowOrigin(deps.db, ownOrigin);
    return { created: false };
  }
  const created = await inTransaction(deps, async (uow) => {
    const { trx } = uow;
    // Several instances starting at once on a fresh database: one seeds, the others wait and see it.
    await sql`select pg_advisory_xact_lock(hashtext('parley.seed.demo'))`.execute(trx);
    if (await siteRepo.findSite(trx, DEMO_SITE_ID)) return false;
    await siteRepo.insertSite(trx, { id: DEMO_SITE_ID, name: sample.site.name, origins: [ownOrigin], settings: {} });
    const { thread } = await threadRepo.insertThread(trx, {
      siteId: DEMO_SITE_ID,
      key: sample.thread.key,
      url: sample.thread.url,
      title: sample.thread.title,
    });
    const published = Date.parse(sample.thread.publishedAt);
    const byRef = new Map<string, Comment>();
    const commenters = new Map<string, string>();
    for (const c of sample.comments) {
      const author = c.author as { name?: string; website?: string; badge?: string };
      let commenterId = author.name ? commenters.get(author.name) : undefined;
      if (!commenterId) {
        commenterId = newId();
        await trx.insertInto('commenters').values({ id: commenterId, token_hash: null, name: author.name ?? null, email: null, website: author.website ?? null }).execute();
        if (author.name) commenters.set(author.name, commenterId);
      }
      const parent = c.parent ? byRef.get(c.parent) : undefined;
      const row = await commentRepo.insertComment(trx, {
        id: newId(),
        site_id: DEMO_SITE_ID,
        thread_id: thread.id,
        parent_id: parent?.id ?? null,
        reply_to_id: null,
        root_id: parent ? (parent.root_id ?? parent.id) : null,
        depth: parent ? parent.depth + 1 : 0,
        commenter_id: commenterId,
        member_id: null,
        author_name: author.name ?? null,
        author_website: author.website ?? null,
        badge: author.badge ?? null,
        body_src: c.body,
        body_html: renderBody(c.body),
        status: 'approved',
        previous_status: null,
        seq: 0,
        ip_hash: null,
        user_agent: null,
        created_at: new Date(published + c.minutes * 60_000),
      });
      await threadRepo.addToCommentCount(trx, thread.id, 1);
      if (parent) await commentRepo.addToReplyCount(trx, parent.id, 1);
      byRef.set(c.ref, await recordChange(uow, null, row));
    }
    // The article's own question, as a poll: "If you were {Queen, King, …} and could fix this with a
    // {wave of your wand, stroke of your pen, …}, how would you resolve this stand-off?"
    await pollRepo.insertPoll(
      trx,
      {
        id: newId(),
        site_id: DEMO_SITE_ID,
        thread_id: thread.id,
        question: sample.poll.question,
        kind: 'single',
        max_choices: 1,
        visibility: 'always',
        network_cap: 5,
        closes_at: null,
        created_by: null,
      },
      sample.poll.options.map((label) => ({ id: newId(), label })),
    );
    // An example preset for the dashboard: what a newsroom sets on a heated story (docs/heat.md).
    const now = new Date();
    await trx
      .insertInto('thread_presets')
      .values({
        id: newId(),
        site_id: DEMO_SITE_ID,
        name: 'Hot topic',
        settings: JSON.stringify({ mode: 'pre', slowModeSeconds: 120, linksAllowed: false, closeAfterHours: 24 }),
        created_at: now,
        updated_at: now,
      })
      .execute();
    return true;
  });
  if (!created) await allowOrigin(deps.db, ownOrigin);
  return { created };
}

/** The demo site accepts this instance's own origin (PUBLIC_URL may change between starts). */
async function allowOrigin(db: Db, ownOrigin: string): Promise<void> {
  const site = await siteRepo.findSite(db, DEMO_SITE_ID);
  const origins = (site?.origins ?? []) as unknown as string[];
  if (!site || origins.includes(ownOrigin)) return;
  await db
    .updateTable('sites')
    .set({ origins: JSON.stringify([...origins, ownOrigin]), updated_at: sql`now()` })
    .where('id', '=', DEMO_SITE_ID)
    .execute();
}
