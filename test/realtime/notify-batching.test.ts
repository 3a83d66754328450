import type pg from 'pg';
import type { DatabaseHandle } from '../../server/db';
import { coalescingNotifies } from '../../server/realtime/adapter';
import { describeOnPostgres, openTestDatabase } from '../helpers/db';

/**
 * The Postgres adapter's NOTIFYs sent in one turn of the event loop leave in one statement. Every
 * message must still reach the other instances, in the order it was sent — including a message
 * repeated within the turn, which PostgreSQL would deliver once if both were in one transaction.
 */
describeOnPostgres('NOTIFYs sent together', () => {
  let database: DatabaseHandle;
  let listener: pg.PoolClient;
  const received: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    listener = await database.pool!.connect();
    listener.on('notification', (msg) => received.push(`${msg.channel}|${msg.payload}`));
    await listener.query('LISTEN "socket.io#/test"');
  });
  afterAll(async () => {
    await listener.query('UNLISTEN *');
    listener.release();
    await database.close();
  });
  beforeEach(() => {
    received.length = 0;
  });

  const until = async (n: number) => {
    for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('delivers every message of a turn, in order, a repeated one as many times as it was sent', async () => {
    const { pool, drained } = coalescingNotifies(database.pool!);
    const channel = 'socket.io#/test';
    const payloads = ['{"seq":1}', '{"seq":2}', '{"seq":2}', '{"seq":3}', '{"seq":2}'];
    // As the adapter sends them: one query each, all in the same turn.
    const sent = payloads.map((p) => pool.query('SELECT pg_notify($1, $2)', [channel, p]));
    await drained();
    await Promise.all(sent);
    await until(payloads.length);
    await new Promise((r) => setTimeout(r, 100)); // nothing more arrives
    expect(received).toEqual(payloads.map((p) => `${channel}|${p}`));
  });

  it('sends the messages of one turn in fewer statements than messages', async () => {
    const statements: string[] = [];
    const counted = new Proxy(database.pool!, {
      get(target, prop) {
        if (prop === 'query') {
          return (text: string, values?: unknown[]) => {
            statements.push(text);
            return target.query(text, values);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { pool } = coalescingNotifies(counted);
    await Promise.all(Array.from({ length: 20 }, (_, i) => pool.query('SELECT pg_notify($1, $2)', ['socket.io#/test', `{"n":${i}}`])));
    await until(20);
    expect(received).toHaveLength(20);
    expect(statements).toHaveLength(1);
    // Anything else the adapter asks goes to the pool as it is.
    const { rows } = await pool.query('select 41 + 1 as answer');
    expect(rows[0].answer).toBe(42);
  });
});
