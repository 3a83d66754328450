import { type Kysely, sql } from 'kysely';

/**
 * Polls already waiting for their closing time get the outbox row that records the closing when it
 * comes (polls/poll.schedule.ts): new and changed closing times write theirs with the change.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into outbox (uid, kind, site_id, payload, next_attempt_at, created_at)
    select 'pollclose' || p.id, 'poll.close', p.site_id, jsonb_build_object('pollId', p.id), p.closes_at, now()
    from polls p where p.closed_at is null and p.closes_at > now()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from outbox where kind = 'poll.close' and uid like 'pollclose%'`.execute(db);
}
