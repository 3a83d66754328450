import { sql } from 'kysely';
import { type DatabaseHandle, gatheredReads, openPostgres, PREPARED } from '../../server/db';
import { describeOnPostgres, openTestDatabase, urlOf } from '../helpers/db';

/**
 * Posts' first reads that arrive together go to PostgreSQL in one round trip (`gatheredReads`): each
 * caller must get its own statement's rows, and one statement PostgreSQL refuses must fail only its
 * own caller, without the others' writes (an idempotency claim rides in a post's read) being lost or
 * made twice.
 */
describeOnPostgres('reads gathered into one round trip', () => {
  let setup: DatabaseHandle;
  let handle: DatabaseHandle;
  /** Connections checked out of the pool so far: one per round trip of a gathered group. */
  let checkouts = 0;

  beforeAll(async () => {
    setup = await openTestDatabase();
    await sql`drop table if exists gathered_claims`.execute(setup.db);
    await sql`create table gathered_claims (key text primary key, n int not null)`.execute(setup.db);
    handle = openPostgres({ connectionString: await urlOf(setup), max: 4 });
    handle.pool!.on('acquire', () => checkouts++);
  });
  afterAll(async () => {
    await handle?.close();
    await sql`drop table if exists gathered_claims`.execute(setup.db);
    await setup.close();
  });

  const square = (n: number | null) => sql<{ n: number | null; sq: number | null }>`${PREPARED}select ${n}::int as n, ${n}::int * ${n}::int as sq`;
  const claim = (key: string, n: number) =>
    sql<{ key: string }>`${PREPARED}insert into gathered_claims (key, n) values (${key}, ${n}::int) on conflict (key) do nothing returning key`;

  it('answers each read with its own rows, from one connection for reads sent together', async () => {
    const read = gatheredReads(handle.db, true);
    const before = checkouts;
    const text = `it's a \\ "quoted" \\' text`;
    const answers = await Promise.all([
      read(square(2)),
      read(square(3)),
      read(square(null)),
      read(sql<{ flag: string }>`select ${true}::boolean::text as flag`),
      read(sql<{ text: string }>`${PREPARED}select ${text}::text as text`),
    ]);
    expect(answers).toEqual([[{ n: 2, sq: 4 }], [{ n: 3, sq: 9 }], [{ n: null, sq: null }], [{ flag: 'true' }], [{ text }]]);
    expect(checkouts - before).toBe(1);
    // Again, now that the connection has the statement prepared (no PREPARE in the text).
    const again = await Promise.all([read(square(5)), read(square(6))]);
    expect(again).toEqual([[{ n: 5, sq: 25 }], [{ n: 6, sq: 36 }]]);
    // Reads sent at different moments go alone.
    const beforeApart = checkouts;
    expect(await read(square(7))).toEqual([{ n: 7, sq: 49 }]);
    expect(await read(square(8))).toEqual([{ n: 8, sq: 64 }]);
    expect(checkouts - beforeApart).toBe(2);
  });

  it('fails only the statement PostgreSQL refused, and keeps the others and their writes once', async () => {
    const read = gatheredReads(handle.db, true);
    const results = await Promise.allSettled([
      read(claim('first', 1)),
      read(sql`${PREPARED}select 1 / ${0}::int as boom`),
      read(claim('second', 2)),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: [{ key: 'first' }] });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/division by zero/) } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: [{ key: 'second' }] });
    const rows = await sql<{ key: string; n: number }>`select key, n from gathered_claims order by key`.execute(handle.db);
    expect(rows.rows).toEqual([
      { key: 'first', n: 1 },
      { key: 'second', n: 2 },
    ]);
  });

  it('sends a read whose parameters cannot be inlined on its own, and the others together', async () => {
    const read = gatheredReads(handle.db, true);
    const before = checkouts;
    const at = new Date('2026-01-02T03:04:05Z');
    const answers = await Promise.all([read(square(4)), read(sql<{ year: number }>`${PREPARED}select extract(year from ${at}::timestamptz)::int as year`), read(square(5))]);
    expect(answers).toEqual([[{ n: 4, sq: 16 }], [{ year: 2026 }], [{ n: 5, sq: 25 }]]);
    expect(checkouts - before).toBe(2);
  });

  it('sends each read alone when gathering is off (the embedded database)', async () => {
    const read = gatheredReads(handle.db, false);
    const before = checkouts;
    expect(await Promise.all([read(square(2)), read(square(3))])).toEqual([[{ n: 2, sq: 4 }], [{ n: 3, sq: 9 }]]);
    expect(checkouts - before).toBe(2);
  });
});
