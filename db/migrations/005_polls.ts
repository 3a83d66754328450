import { type Kysely, sql } from 'kysely';

/**
 * Polls on threads. Tallies are not stored on the poll row: every vote would then update one hot
 * row and serialise a popular poll. A vote is a ballot row (one per commenter per poll, enforced by
 * the primary key) and one row per chosen option; a tally is an index-only count over
 * `(poll_id, option_id)`, exact by construction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('polls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('single', 'multiple')`))
    .addColumn('max_choices', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('visibility', 'text', (c) => c.notNull().check(sql`visibility in ('always', 'after_vote', 'after_close')`))
    .addColumn('network_cap', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('closes_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('polls_thread').on('polls').columns(['thread_id', 'created_at']).execute();

  await db.schema
    .createTable('poll_options')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('poll_id', 'text', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('poll_options_poll').on('poll_options').columns(['poll_id', 'position']).execute();

  await db.schema
    .createTable('poll_ballots')
    .addColumn('poll_id', 'text', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('commenter_id', 'text', (c) => c.notNull().references('commenters.id').onDelete('cascade'))
    .addColumn('ip_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('poll_ballots_pk', ['poll_id', 'commenter_id'])
    .execute();
  await db.schema.createIndex('poll_ballots_network').on('poll_ballots').columns(['poll_id', 'ip_hash']).execute();
  await db.schema.createIndex('poll_ballots_commenter').on('poll_ballots').columns(['commenter_id']).execute();

  await db.schema
    .createTable('poll_choices')
    .addColumn('poll_id', 'text', (c) => c.notNull())
    .addColumn('commenter_id', 'text', (c) => c.notNull())
    .addColumn('option_id', 'text', (c) => c.notNull().references('poll_options.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('poll_choices_pk', ['poll_id', 'commenter_id', 'option_id'])
    .addForeignKeyConstraint('poll_choices_ballot', ['poll_id', 'commenter_id'], 'poll_ballots', ['poll_id', 'commenter_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  // The tally: an index-only count per option.
  await db.schema.createIndex('poll_choices_tally').on('poll_choices').columns(['poll_id', 'option_id']).execute();

  // A reader may show their choice next to their comments; off by default.
  await db.schema.alterTable('commenters').addColumn('show_vote', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('commenters').dropColumn('show_vote').execute();
  for (const t of ['poll_choices', 'poll_ballots', 'poll_options', 'polls']) await db.schema.dropTable(t).ifExists().execute();
}
