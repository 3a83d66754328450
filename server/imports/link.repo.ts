import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../db';
import { newId } from '../ids';
import type { ReasonLog } from './import.report';
import { type StagingDb, staging } from './staging.repo';

/**
 * The second half of a WXR or Disqus import, once the whole file sits in the staging tables:
 * threads matched or created, commenters found or created, comments inserted, parents linked and
 * the depth cap applied. Set-based SQL wherever the work is per comment; a loop only per thread
 * and per new commenter, in pages.
 */
export interface LinkContext {
  trx: Tx;
  siteId: string;
  source: 'wxr' | 'disqus';
  skipped: ReasonLog;
  notes: ReasonLog;
}

const PAGE = 200;

function urlVariants(url: string): string[] {
  return url.endsWith('/') ? [url, url.slice(0, -1)] : [url, `${url}/`];
}

async function upsertRef(trx: Tx, siteId: string, source: string, kind: 'thread' | 'commenter', externalId: string, localId: string) {
  await trx
    .insertInto('import_refs')
    .values({ site_id: siteId, source, kind, external_id: externalId, local_id: localId })
    .onConflict((oc) => oc.columns(['site_id', 'source', 'kind', 'external_id']).doUpdateSet({ local_id: localId }))
    .execute();
}

/** An earlier import's thread, else one the publisher already has (by key, identifier or URL), else a new one. */
async function matchOrCreateThread(
  ctx: LinkContext,
  t: { ext_id: string; ident: string | null; key: string; url: string | null; title: string | null; closed: boolean; created_at: Date | null },
): Promise<{ id: string; created: boolean }> {
  const { trx, siteId, source } = ctx;
  const ref = await trx
    .selectFrom('import_refs')
    .innerJoin('threads', 'threads.id', 'import_refs.local_id')
    .select('threads.id')
    .where('import_refs.site_id', '=', siteId)
    .where('import_refs.source', '=', source)
    .where('import_refs.kind', '=', 'thread')
    .where('import_refs.external_id', '=', t.ext_id)
    .executeTakeFirst();
  if (ref) return { id: ref.id, created: false };

  const keys = [t.key, ...(t.url ? urlVariants(t.url) : []), ...(t.ident ? [t.ident] : [])];
  const byKey = await trx
    .selectFrom('threads')
    .select(['id', 'key'])
    .where('site_id', '=', siteId)
    .where('key', 'in', keys)
    .execute();
  const found = keys.map((k) => byKey.find((row) => row.key === k)).find(Boolean);
  let id = found?.id;
  if (!id && t.url) {
    const byUrl = await trx
      .selectFrom('threads')
      .select('id')
      .where('site_id', '=', siteId)
      .where('url', 'in', urlVariants(t.url))
      .orderBy('created_at')
      .executeTakeFirst();
    id = byUrl?.id;
  }
  let created = false;
  if (!id) {
    const inserted = await trx
      .insertInto('threads')
      .values({
        id: newId(),
        site_id: siteId,
        key: t.key,
        url: t.url,
        title: t.title,
        state: t.closed ? 'closed' : 'open',
        mode: null,
        ...(t.created_at ? { created_at: t.created_at } : {}),
      })
      .onConflict((oc) => oc.columns(['site_id', 'key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      id = inserted.id;
      created = true;
    } else {
      // Created a moment ago by a reader's page on the live site.
      id = (await trx.selectFrom('threads').select('id').where('site_id', '=', siteId).where('key', '=', t.key).executeTakeFirstOrThrow()).id;
    }
  }
  await upsertRef(trx, siteId, source, 'thread', t.ext_id, id);
  return { id, created };
}

export async function linkThreads(ctx: LinkContext): Promise<{ created: number; matched: number; withoutComments: number }> {
  const db = staging(ctx.trx);
  const createdIds = new Set<string>();
  const matchedIds = new Set<string>();
  let after = '';
  for (;;) {
    const page = await db
      .selectFrom('imp_threads')
      .selectAll()
      .where('ext_id', '>', after)
      .where((eb) => eb.exists(eb.selectFrom('imp_comments').select(sql`1`.as('one')).whereRef('imp_comments.thread_ext', '=', 'imp_threads.ext_id')))
      .orderBy('ext_id')
      .limit(PAGE)
      .execute();
    for (const t of page) {
      const { id, created } = await matchOrCreateThread(ctx, t);
      if (created) createdIds.add(id);
      else if (!createdIds.has(id)) matchedIds.add(id);
      await db.updateTable('imp_threads').set({ thread_id: id }).where('ext_id', '=', t.ext_id).execute();
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].ext_id;
  }
  const empty = await db
    .selectFrom('imp_threads')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('imp_comments').select(sql`1`.as('one')).whereRef('imp_comments.thread_ext', '=', 'imp_threads.ext_id'))))
    .executeTakeFirstOrThrow();

  await sql`update imp_comments c set thread_id = t.thread_id from imp_threads t where t.ext_id = c.thread_ext`.execute(ctx.trx);
  await logRows(db, ctx.skipped, sql<boolean>`thread_id is null`, 'its thread is not in the file');
  return { created: createdIds.size, matched: matchedIds.size, withoutComments: Number(empty.n) };
}

/** Adds the staged comments matching `where` to a reason log: all of them counted, the first few placed. */
async function logRows(db: StagingDb, log: ReasonLog, where: RawBuilder<boolean>, reason: string): Promise<number> {
  const examples = await db.selectFrom('imp_comments').select(['ext_id', 'line']).where(where).orderBy('line').limit(10).execute();
  if (examples.length === 0) return 0;
  const { n } = await db.selectFrom('imp_comments').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow();
  const count = Number(n);
  examples.forEach((e, i) => log.add(reason, e.line, e.ext_id, i === 0 ? count - examples.length + 1 : 1));
  return count;
}

/** Comments an earlier run of this import already brought in stay as they are. */
export async function markAlreadyImported(ctx: LinkContext): Promise<number> {
  const result = await sql`
    update imp_comments c set existing = true
    from import_refs r
    where r.site_id = ${ctx.siteId} and r.source = ${ctx.source} and r.kind = 'comment' and r.external_id = c.ext_id`.execute(ctx.trx);
  await sql`analyze imp_comments`.execute(ctx.trx);
  return Number(result.numAffectedRows ?? 0);
}

/** One commenter per distinct email address within the site, shared by every import source; no token. */
export async function linkCommenters(ctx: LinkContext): Promise<number> {
  const { trx, siteId } = ctx;
  const db = staging(trx);
  const attachKnown = () => sql`
    update imp_comments c set commenter_id = r.local_id
    from import_refs r join commenters m on m.id = r.local_id
    where r.site_id = ${siteId} and r.source = 'email' and r.kind = 'commenter' and r.external_id = c.email_key
      and c.email_key is not null and c.commenter_id is null`.execute(trx);
  await attachKnown();
  let created = 0;
  let after = '';
  for (;;) {
    const page = await db
      .selectFrom('imp_comments')
      .select(['email_key', 'email', 'author_name', 'website'])
      .distinctOn('email_key')
      .where('email_key', 'is not', null)
      .where('email_key', '>', after)
      .where('commenter_id', 'is', null)
      .where('existing', '=', false)
      .where('thread_id', 'is not', null)
      .orderBy('email_key')
      .orderBy('created_at')
      .limit(500)
      .execute();
    if (page.length === 0) break;
    const rows = page.map((p) => ({ id: newId(), token_hash: null, name: p.author_name, email: p.email, website: p.website, key: p.email_key! }));
    await trx.insertInto('commenters').values(rows.map(({ key: _key, ...row }) => row)).execute();
    await trx
      .insertInto('import_refs')
      .values(rows.map((r) => ({ site_id: siteId, source: 'email', kind: 'commenter' as const, external_id: r.key, local_id: r.id })))
      .onConflict((oc) => oc.columns(['site_id', 'source', 'kind', 'external_id']).doUpdateSet((eb) => ({ local_id: eb.ref('excluded.local_id') })))
      .execute();
    created += rows.length;
    after = page[page.length - 1].email_key!;
  }
  await attachKnown();
  return created;
}

export async function insertComments(ctx: LinkContext): Promise<void> {
  const { trx, siteId, source } = ctx;
  await sql`
    insert into comments (id, site_id, thread_id, parent_id, reply_to_id, root_id, depth, commenter_id, member_id,
      author_name, author_website, badge, body_src, body_html, status, previous_status, seq, ip_hash, user_agent,
      created_at, deleted_at)
    select comment_id, ${siteId}, thread_id, null, null, null, 0, commenter_id, null,
      author_name, website, badge, body_src, body_html, status, previous_status, 0, null, null,
      created_at, case when status = 'deleted' then now() end
    from imp_comments where thread_id is not null and not existing`.execute(trx);
  await sql`update imp_comments set inserted = true where thread_id is not null and not existing`.execute(trx);
  // Fresh statistics, or the planner would join the rows just flagged as if there were none.
  await sql`analyze imp_comments`.execute(trx);
  await sql`
    insert into import_refs (site_id, source, kind, external_id, local_id)
    select ${siteId}, ${source}, 'comment', ext_id, comment_id from imp_comments where inserted`.execute(trx);
  // The references just written would otherwise look like an empty table to the planner.
  await sql`analyze import_refs`.execute(trx);
}

/**
 * Replies find their parents through the references, wherever the parent was in the file or in an
 * earlier import. Then depth, root and the site's depth cap, the same way a reader's reply gets
 * them: a reply below the cap attaches beside its parent and keeps `reply_to_id` to it.
 */
export async function linkParents(ctx: LinkContext, maxDepth: number): Promise<void> {
  const { trx, siteId, source } = ctx;
  const db = staging(trx);
  // Parents imported in this run, straight from the staging table; then parents from earlier runs.
  await sql`
    update imp_comments c set true_parent_id = p.comment_id
    from imp_comments p
    where c.inserted and p.inserted and p.ext_id = c.parent_ext and p.ext_id <> c.ext_id and p.thread_id = c.thread_id`.execute(trx);
  await sql`
    update imp_comments c set true_parent_id = r.local_id
    from import_refs r join comments p on p.id = r.local_id
    where c.inserted and c.true_parent_id is null and c.parent_ext is not null and c.parent_ext <> c.ext_id
      and r.site_id = ${siteId} and r.source = ${source} and r.kind = 'comment' and r.external_id = c.parent_ext
      and p.thread_id = c.thread_id`.execute(trx);
  await sql`analyze imp_comments`.execute(trx);
  await logRows(
    db,
    ctx.notes,
    sql<boolean>`inserted and parent_ext is not null and true_parent_id is null`,
    'a reply whose parent is not in the file (or was skipped, or is in another thread): kept as a top-level comment',
  );

  await sql`
    create temp table imp_tree on commit drop as
    with recursive tree (id, parent_id, reply_to_id, root_id, depth) as (
      select c.comment_id,
        case when p.id is null then null when p.depth + 1 > ${maxDepth} then p.parent_id else p.id end,
        case when p.id is not null and p.depth + 1 > ${maxDepth} then p.id end,
        case when p.id is null then null else coalesce(p.root_id, p.id) end,
        case when p.id is null then 0 when p.depth + 1 > ${maxDepth} then p.depth else p.depth + 1 end
      from imp_comments c
      left join comments p on p.id = c.true_parent_id
      where c.inserted and (c.true_parent_id is null
        or not exists (select 1 from imp_comments n where n.comment_id = c.true_parent_id and n.inserted))
      union all
      select c.comment_id,
        case when t.depth + 1 > ${maxDepth} then t.parent_id else t.id end,
        case when t.depth + 1 > ${maxDepth} then t.id end,
        coalesce(t.root_id, t.id),
        case when t.depth + 1 > ${maxDepth} then t.depth else t.depth + 1 end
      from tree t join imp_comments c on c.true_parent_id = t.id and c.inserted
    )
    select * from tree`.execute(trx);
  await sql`
    update comments c set parent_id = t.parent_id, reply_to_id = t.reply_to_id, root_id = t.root_id, depth = t.depth
    from imp_tree t where c.id = t.id and (t.parent_id is not null or t.reply_to_id is not null)`.execute(trx);
  await logRows(
    db,
    ctx.notes,
    sql<boolean>`inserted and true_parent_id is not null and not exists (select 1 from imp_tree t where t.id = comment_id)`,
    'replies whose parents refer to each other in a loop: kept as top-level comments',
  );
}
