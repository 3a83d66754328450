import { sql } from 'kysely';
import { type DatabaseHandle, openPostgres, PREPARED, transactionCommittingWith } from '../../server/db';
import { describeOnPostgres, openTestDatabase, urlOf } from '../helpers/db';

/**
 * A batch's statements travel with its commit in one text, the large ones as `EXECUTE` of a
 * statement its connection prepared (the first text on a connection carries the `PREPARE`). A text
 * that fails may or may not have prepared its statements: the next batch on that connection must be
 * written all the same, whichever it was. One connection, so every batch shares its session.
 */
describeOnPostgres('batches sent with their commit, on one connection', () => {
  let setup: DatabaseHandle;
  let one: DatabaseHandle;

  beforeAll(async () => {
    setup = await openTestDatabase();
    await sql`drop table if exists trip_notes`.execute(setup.db);
    await sql`create table trip_notes (id text primary key, body text not null)`.execute(setup.db);
    one = openPostgres({ connectionString: await urlOf(setup), max: 1 });
  });
  afterAll(async () => {
    await one?.close();
    await sql`drop table if exists trip_notes`.execute(setup.db);
    await setup.close();
  });

  /**
   * One batch: its opening statement, then a note written with the commit by a prepared statement,
   * `kind` telling the statements apart (each its own text, prepared on first use).
   */
  const batch = (kind: string, id: string, before?: ReturnType<typeof sql>) =>
    transactionCommittingWith(one.db, true, async (trx, opening) => {
      await sql`${opening}select 1 as opened`.execute(trx);
      return [before, sql`${PREPARED}insert into trip_notes (id, body) values (${id}, ${sql.lit(kind)})`];
    });
  const notes = async () => (await sql<{ id: string }>`select id from trip_notes order by id`.execute(one.db)).rows.map((r) => r.id);
  const prepared = async () =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like '%trip_notes%'`.execute(one.db)).rows.map(
      (r) => r.statement.match(/, '(\w+)'\)/)?.[1],
    ).sort();

  it('prepares once per connection, and writes after a batch failed before or after its PREPARE ran', async () => {
    await batch('plain', 'a');
    await batch('plain', 'b');
    expect(await notes()).toEqual(['a', 'b']);
    expect(await prepared()).toEqual(['plain']);

    // A first use that failed after its PREPARE ran (the EXECUTE hit a duplicate): the statement stays prepared.
    await expect(batch('after', 'a')).rejects.toThrow(/duplicate key/);
    await batch('after', 'c');
    // A first use that failed before its PREPARE ran (an earlier statement of the text failed): it is not prepared.
    await expect(batch('before', 'd', sql`select 1 / 0`)).rejects.toThrow(/division by zero/);
    await batch('before', 'e');
    await batch('before', 'f');
    expect(await notes()).toEqual(['a', 'b', 'c', 'e', 'f']);
    expect(await prepared()).toEqual(['after', 'before', 'plain']);
  });
});
