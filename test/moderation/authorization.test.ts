import type { Thread } from '../../db/schema';
import { createApiKey } from '../../server/members/apikey.service';
import { newId } from '../../server/ids';
import { buildComment, buildSite, buildThread, postComment } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { addMember, apiKey, bearerCaller, type Caller, member, type Method } from '../helpers/staff';

/**
 * The authorisation matrix: every moderation and administration route, called by everyone who
 * might call it. Each call gets fresh objects, so the answer reflects who is asking, nothing else.
 */
type Who = 'anonymous' | 'commenter' | 'journalist' | 'moderator of another site' | 'moderator' | 'admin' | 'API key' | 'API key of another site';
const WHO: Who[] = ['anonymous', 'commenter', 'journalist', 'moderator of another site', 'moderator', 'admin', 'API key', 'API key of another site'];

type Ability = 'view_site' | 'post' | 'moderate' | 'administer' | 'create_site';
const OK = 0; // the route's own success status

const EXPECTED: Record<Ability, Record<Who, number>> = {
  view_site: { anonymous: 401, commenter: 401, journalist: OK, 'moderator of another site': 404, moderator: OK, admin: OK, 'API key': OK, 'API key of another site': 404 },
  post: { anonymous: 401, commenter: 401, journalist: OK, 'moderator of another site': 404, moderator: OK, admin: OK, 'API key': OK, 'API key of another site': 404 },
  moderate: { anonymous: 401, commenter: 401, journalist: 403, 'moderator of another site': 404, moderator: OK, admin: OK, 'API key': OK, 'API key of another site': 404 },
  administer: { anonymous: 401, commenter: 401, journalist: 403, 'moderator of another site': 404, moderator: 403, admin: OK, 'API key': 403, 'API key of another site': 404 },
  // Not about one site: only a member who administers some site may create another.
  create_site: { anonymous: 401, commenter: 401, journalist: 403, 'moderator of another site': 403, moderator: 403, admin: OK, 'API key': 403, 'API key of another site': 403 },
};

interface Case {
  route: string;
  ability: Ability;
  ok: number;
  request(who: Who): Promise<[Method, string, unknown?]>;
  /** Bulk routes answer 200 with one result per id: the result is what counts. */
  bulk?: boolean;
}

let parley: TestParley;
let siteA: string;
let siteB: string;
let thread: Thread;
let journalistId: string;
const callers = {} as Record<Who, Caller>;

beforeAll(async () => {
  parley = await startTestParley();
  await parley.reset();
  const db = parley.database.db;
  siteA = (await buildSite(db)).id;
  siteB = (await buildSite(db)).id;
  thread = await buildThread(db, siteA);
  const reader = await postComment(parley, thread.id, { body: 'a reader' });
  const journalist = await member(parley, [[siteA, 'journalist']], 'journalist');
  journalistId = journalist.id;
  callers.anonymous = bearerCaller(parley, null, 'anonymous');
  callers.commenter = bearerCaller(parley, reader.body.commenterToken, 'commenter');
  callers.journalist = journalist;
  callers['moderator of another site'] = await member(parley, [[siteB, 'moderator']], 'moderator of another site');
  callers.moderator = await member(parley, [[siteA, 'moderator']], 'moderator');
  callers.admin = await member(parley, [[siteA, 'admin']], 'admin');
  callers['API key'] = await apiKey(parley, siteA);
  callers['API key of another site'] = await apiKey(parley, siteB);
});
afterAll(() => parley.close());

const db = () => parley.database.db;
const comment = (status: 'pending' | 'approved') => buildComment(db(), thread, { status });

const cases: Case[] = [
  { route: 'GET /moderation/queues', ability: 'moderate', ok: 200, request: async () => ['get', `/moderation/queues?site=${siteA}`] },
  { route: 'GET /moderation/comments', ability: 'moderate', ok: 200, request: async () => ['get', `/moderation/comments?site=${siteA}&queue=pending`] },
  { route: 'GET /moderation/comments/:id', ability: 'moderate', ok: 200, request: async () => ['get', `/moderation/comments/${(await comment('pending')).id}`] },
  {
    route: 'POST /moderation/comments/:id/decision',
    ability: 'moderate',
    ok: 200,
    request: async () => ['post', `/moderation/comments/${(await comment('pending')).id}/decision`, { action: 'approve' }],
  },
  {
    route: 'POST /moderation/decisions',
    ability: 'moderate',
    ok: 200,
    bulk: true,
    request: async () => ['post', '/moderation/decisions', { ids: [(await comment('pending')).id], action: 'reject' }],
  },
  {
    route: 'POST /moderation/bans',
    ability: 'moderate',
    ok: 201,
    request: async () => ['post', '/moderation/bans', { site: siteA, commentId: (await comment('approved')).id }],
  },
  { route: 'GET /moderation/bans', ability: 'moderate', ok: 200, request: async () => ['get', `/moderation/bans?site=${siteA}`] },
  {
    route: 'DELETE /moderation/bans/:id',
    ability: 'moderate',
    ok: 200,
    request: async () => {
      const c = await comment('approved');
      const ban = await db()
        .insertInto('bans')
        .values({ id: newId(), site_id: siteA, commenter_id: c.commenter_id, network_hash: null, network_day: null, comment_id: c.id, reason: null, created_by_type: 'system', created_by_id: null, created_by_name: null, expires_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return ['delete', `/moderation/bans/${ban.id}`];
    },
  },
  { route: 'GET /moderation/log', ability: 'moderate', ok: 200, request: async () => ['get', `/moderation/log?site=${siteA}`] },
  {
    route: 'POST /moderation/threads/:id/comments',
    ability: 'post',
    ok: 201,
    request: async (who) => ['post', `/moderation/threads/${thread.id}/comments`, { body: 'From the newsroom', ...(who.startsWith('API key') ? { memberId: journalistId } : {}) }],
  },
  { route: 'PATCH /threads/:id', ability: 'moderate', ok: 200, request: async () => ['patch', `/threads/${(await buildThread(db(), siteA)).id}`, { state: 'closed' }] },
  { route: 'POST /sites', ability: 'create_site', ok: 201, request: async () => ['post', '/sites', { id: `new-${newId().slice(0, 8)}`, name: 'Another paper' }] },
  { route: 'GET /sites/:id', ability: 'view_site', ok: 200, request: async () => ['get', `/sites/${siteA}`] },
  { route: 'PATCH /sites/:id', ability: 'administer', ok: 200, request: async () => ['patch', `/sites/${siteA}`, { settings: { maxLinks: 3 } }] },
  { route: 'GET /sites/:id/keys', ability: 'administer', ok: 200, request: async () => ['get', `/sites/${siteA}/keys`] },
  { route: 'POST /sites/:id/keys', ability: 'administer', ok: 201, request: async () => ['post', `/sites/${siteA}/keys`, { name: 'another' }] },
  {
    route: 'DELETE /sites/:id/keys/:keyId',
    ability: 'administer',
    ok: 200,
    request: async () => ['delete', `/sites/${siteA}/keys/${(await createApiKey(db(), { siteId: siteA, name: 'spare', createdBy: null })).key.id}`],
  },
  { route: 'GET /sites/:id/members', ability: 'administer', ok: 200, request: async () => ['get', `/sites/${siteA}/members`] },
  {
    route: 'POST /sites/:id/members',
    ability: 'administer',
    ok: 201,
    request: async () => ['post', `/sites/${siteA}/members`, { email: `new-${newId().slice(0, 8)}@newsroom.example`, role: 'journalist' }],
  },
  {
    route: 'DELETE /sites/:id/members/:memberId',
    ability: 'administer',
    ok: 204,
    request: async () => ['delete', `/sites/${siteA}/members/${(await addMember(db(), [[siteA, 'journalist']])).id}`],
  },
];

const STATUS_OF_CODE: Record<string, number> = { not_found: 404, forbidden: 403, unauthenticated: 401 };

describe('the authorisation matrix', () => {
  it('gives every caller exactly what its role allows on every moderation and administration route', async () => {
    const actual: Record<string, Record<Who, number>> = {};
    const expected: Record<string, Record<Who, number>> = {};
    for (const c of cases) {
      actual[c.route] = {} as Record<Who, number>;
      expected[c.route] = {} as Record<Who, number>;
      for (const who of WHO) {
        const want = EXPECTED[c.ability][who];
        expected[c.route][who] = want === OK ? c.ok : want;
        const [method, path, body] = await c.request(who);
        const res = await callers[who].call(method, path, body);
        let status = res.status;
        if (c.bulk && status === 200) {
          const result = res.body.results[0];
          status = result.ok ? 200 : (STATUS_OF_CODE[result.error.code] ?? 500);
        }
        actual[c.route][who] = status;
      }
    }
    expect(actual).toEqual(expected);
  }, 120_000);

  it('answers another site’s comment, ban or thread exactly as it answers one that does not exist', async () => {
    const outsider = callers['moderator of another site'];
    const c = await comment('pending');
    const missing = '0000000000000000';
    for (const [method, path, body] of [
      ['get', '/moderation/comments/%s', undefined],
      ['post', '/moderation/comments/%s/decision', { action: 'approve' }],
    ] as Array<[Method, string, unknown]>) {
      const theirs = await outsider.call(method, path.replace('%s', c.id), body);
      const none = await outsider.call(method, path.replace('%s', missing), body);
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(none.body);
    }
    const queue = await outsider.call('get', `/moderation/queues?site=${siteA}`);
    const noSite = await outsider.call('get', '/moderation/queues?site=no-such-site');
    expect(queue.status).toBe(404);
    expect(queue.body).toEqual(noSite.body);
    const t = await outsider.call('patch', `/threads/${thread.id}`, { state: 'closed' });
    const noThread = await outsider.call('patch', `/threads/${missing}`, { state: 'closed' });
    expect(t.status).toBe(404);
    expect(t.body).toEqual(noThread.body);
    // And nothing changed.
    expect((await db().selectFrom('comments').select('status').where('id', '=', c.id).executeTakeFirstOrThrow()).status).toBe('pending');
    expect((await db().selectFrom('threads').select('state').where('id', '=', thread.id).executeTakeFirstOrThrow()).state).toBe('open');
  });

  it('lets a journalist answer readers but not see the queues', async () => {
    const j = callers.journalist;
    expect((await j.call('get', `/moderation/queues?site=${siteA}`)).body.error.code).toBe('forbidden');
    expect((await j.call('post', `/moderation/threads/${thread.id}/comments`, { body: 'Thanks for reading.' })).body.comment.author.badge).toBe('journalist');
  });
});
