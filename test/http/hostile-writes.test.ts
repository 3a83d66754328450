import { sql } from 'kysely';
import { buildSite, buildThread } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { call } from '../helpers/reader';

const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

const db = () => parley.database.db;

/** Everything a reader write could touch, to prove a refused request changed none of it. */
async function snapshot() {
  const tables = ['comments', 'comment_edits', 'commenters', 'reactions', 'flags', 'thread_events', 'idempotency_keys'];
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = (await sql.raw(`select * from ${t} order by 1`).execute(db())).rows;
  return JSON.stringify(out);
}

async function raw(method: string, path: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(parley.url + '/api/v1' + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

describe('hostile input on every reader write', () => {
  let token: string;
  let commentId: string;
  let writes: Array<[string, string]>;

  beforeEach(async () => {
    const site = await buildSite(db());
    const thread = await buildThread(db(), site.id);
    const posted = await call(parley, 'post', `/threads/${thread.id}/comments`, { body: 'original words' });
    token = posted.body.commenterToken;
    commentId = posted.body.comment.id;
    writes = [
      ['POST', `/threads/${thread.id}/comments`],
      ['PATCH', `/comments/${commentId}`],
      ['POST', `/comments/${commentId}/flags`],
      ['PATCH', '/me'],
    ];
  });

  it.each<[string, string | Buffer, Record<string, string>, number]>([
    ['broken JSON', '{"body": ', {}, 400],
    ['a form body', 'body=x', { 'Content-Type': 'application/x-www-form-urlencoded' }, 415],
    ['a __proto__ key', '{"body":"x","reason":"spam","name":"n","__proto__":{"admin":true}}', {}, 400],
    ['a NUL byte', '{"body":"a\\u0000b","reason":"spam","note":"a\\u0000b","name":"a\\u0000b"}', {}, 400],
    ['a lone surrogate', '{"body":"\\ud800","reason":"spam","note":"\\ud800","name":"\\ud800"}', {}, 400],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x62, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), {}, 400],
    ['an oversized body', JSON.stringify({ body: 'x'.repeat(70_000), reason: 'spam', note: 'x', name: 'x' }), {}, 413],
    ['a wrong type', '{"body":["x"],"reason":7,"name":{"a":1},"website":false}', {}, 400],
    ['a malformed Idempotency-Key', '{"body":"fine words","reason":"spam","name":"Fine"}', { 'Idempotency-Key': 'bad key with spaces' }, 400],
  ])('refuses %s with a JSON error and stores nothing', async (_name, body, headers, status) => {
    const before = await snapshot();
    for (const [method, path] of writes) {
      const res = await raw(method, path, body, { Authorization: `Bearer ${token}`, ...headers });
      expect([method, path, res.status]).toEqual([method, path, status]);
      expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses a forged token and a token that is not a bearer token', async () => {
    const before = await snapshot();
    for (const auth of ['Bearer ct_forged-token-000000000000000000000', 'Basic Y3Q6eA==', 'Bearer']) {
      const del = await raw('DELETE', `/comments/${commentId}`, '', { Authorization: auth });
      expect(del.status).toBe(401);
      const like = await raw('PUT', `/comments/${commentId}/reaction`, '', { Authorization: auth });
      expect(like.status).toBe(401);
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses ids that are not ids', async () => {
    for (const id of ['..%2F..%2Fetc', 'A'.repeat(16), "1' or '1'='1", '0'.repeat(200)]) {
      const res = await call(parley, 'get', `/comments/${id}`);
      expect(res.status).toBe(400);
      expect((await call(parley, 'delete', `/comments/${id}`, undefined, { token })).status).toBe(400);
    }
  });
});
