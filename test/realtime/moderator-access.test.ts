import { resetPassword } from '../../server/members/member.service';
import { describeOnPostgres } from '../helpers/db';
import { buildSite, buildThread } from '../helpers/factories';
import { addMember, apiKey, member, signIn } from '../helpers/staff';
import { connected, emitAck, type LiveParley, type RawSocket, record, sleep, startLiveParley, waitFor } from './helpers';

/**
 * A moderator's live feed ends with their access: logout, a password change or reset, removal from
 * the site, a revoked API key. HTTP already refuses them; the open socket must stop too.
 */
const sockets: RawSocket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

async function feed(on: LiveParley, siteIds: string[], who: { cookie?: string; apiKey?: string }) {
  const socket = await connected(on.url, {
    namespace: '/moderation',
    ...(who.cookie ? { cookie: who.cookie, origin: on.origin } : { auth: { apiKey: who.apiKey } }),
  });
  sockets.push(socket);
  for (const siteId of siteIds) expect((await emitAck(socket, 'queue:join', { siteId })).data).toBeDefined();
  const ended = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  return { socket, ended, events: record(socket, ['queue:added', 'queue:counts']) };
}

const held = (on: LiveParley, threadId: string, body: string) =>
  on.http().post(`/api/v1/threads/${threadId}/comments`).set('Content-Type', 'application/json').send({ body });

/** The access changes are made through `via` while the socket is open on `on`. */
function accessTests(instances: () => { on: LiveParley; via: LiveParley }) {
  it('ends the socket of a session that logs out, and of sessions a password change ends', async () => {
    const { on, via } = instances();
    const site = await buildSite(on.database.db, { settings: { moderation: 'pre' } });
    const thread = await buildThread(on.database.db, site.id);
    const account = await addMember(via.database.db, [[site.id, 'moderator']]);
    const laptop = await signIn(via, account.email, account.password);
    const laptopFeed = await feed(on, [site.id], laptop);
    expect((await laptop.call('post', '/auth/logout')).status).toBe(204);
    expect(await laptopFeed.ended).toBe('io server disconnect');

    const phone = await signIn(via, account.email, account.password);
    const desk = await signIn(via, account.email, account.password);
    const phoneFeed = await feed(on, [site.id], phone);
    const deskFeed = await feed(on, [site.id], desk);
    const changed = await desk.call('post', '/auth/password', { currentPassword: account.password, newPassword: 'a much longer new passphrase' });
    expect(changed.status).toBe(204);
    expect(await phoneFeed.ended).toBe('io server disconnect');
    // The session that changed the password goes on, live feed included.
    expect((await held(via, thread.id, 'Still here?')).body.comment.status).toBe('pending');
    await waitFor(() => deskFeed.events.some((e) => e.event === 'queue:added'), 5000, 'the desk feed');
    expect(deskFeed.socket.connected).toBe(true);
  });

  it('takes a removed or demoted member off the site’s queues, and ends a revoked key’s feed', async () => {
    const { on, via } = instances();
    const site = await buildSite(on.database.db, { settings: { moderation: 'pre' } });
    const other = await buildSite(on.database.db, { settings: { moderation: 'pre' } });
    const [thread, otherThread] = [await buildThread(on.database.db, site.id), await buildThread(on.database.db, other.id)];
    const admin = await member(via, [[site.id, 'admin']], 'admin');
    const moderator = await member(via, [[site.id, 'moderator'], [other.id, 'moderator']], 'moderator');
    const journalistToBe = await member(via, [[site.id, 'moderator']], 'demoted');
    const key = await apiKey(via, site.id);
    const modFeed = await feed(on, [site.id, other.id], moderator);
    const demotedFeed = await feed(on, [site.id], journalistToBe);
    const keyFeed = await feed(on, [site.id], { apiKey: key.secret });

    expect((await admin.call('delete', `/sites/${site.id}/members/${moderator.id}`)).status).toBe(204);
    expect((await admin.call('post', `/sites/${site.id}/members`, { email: journalistToBe.email, role: 'journalist' })).status).toBeLessThan(300);
    const keys = await admin.call('get', `/sites/${site.id}/keys`);
    expect((await admin.call('delete', `/sites/${site.id}/keys/${keys.body.items[0].id}`)).status).toBe(200);
    expect(await keyFeed.ended).toBe('io server disconnect');

    await sleep(300); // let the other instance hear of it, as a moderator's next second would
    modFeed.events.length = 0;
    demotedFeed.events.length = 0;
    const secret = await held(via, thread.id, 'Nobody from that newsroom should see this live.');
    expect(secret.body.comment.status).toBe('pending');
    expect((await held(via, otherThread.id, 'The other site')).body.comment.status).toBe('pending');
    await waitFor(() => modFeed.events.some((e) => e.event === 'queue:added'), 5000, 'the other site’s arrival');
    await sleep(500);
    const siteIds = (events: typeof modFeed.events) => [...new Set(events.map((e) => e.payload.siteId))];
    expect(siteIds(modFeed.events)).toEqual([other.id]);
    expect(demotedFeed.events).toEqual([]);
  });
}

describe('moderators whose access ends, on one instance', () => {
  let parley: LiveParley;
  beforeAll(async () => {
    parley = await startLiveParley({ env: { PARLEY_RATE_LIMITS: 'off' } });
  });
  afterAll(() => parley.close());
  beforeEach(() => parley.reset());

  accessTests(() => ({ on: parley, via: parley }));
});

describe('a password reset from the command line (another process)', () => {
  let parley: LiveParley;
  beforeAll(async () => {
    parley = await startLiveParley({ env: { PARLEY_RATE_LIMITS: 'off' }, realtime: { staffRecheckMs: 200 } });
  });
  afterAll(() => parley.close());

  it('ends the member’s feed at the next check of open feeds', async () => {
    const site = await buildSite(parley.database.db);
    const moderator = await member(parley, [[site.id, 'moderator']], 'moderator');
    const open = await feed(parley, [site.id], moderator);
    await resetPassword(parley.database.db, moderator.email);
    expect(await open.ended).toBe('io server disconnect');
  });
});

describeOnPostgres('moderators whose access ends, on every instance', () => {
  let a: LiveParley;
  let b: LiveParley;
  beforeAll(async () => {
    a = await startLiveParley({ env: { PARLEY_RATE_LIMITS: 'off', REDIS_URL: '' } });
    b = await startLiveParley({ env: { PARLEY_RATE_LIMITS: 'off', REDIS_URL: '' }, database: a.database });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });
  beforeEach(() => a.reset());

  it('shares live events between the two instances', () => {
    expect([a.app.realtime.adapterKind, b.app.realtime.adapterKind]).toEqual(['postgres', 'postgres']);
  });
  accessTests(() => ({ on: a, via: b }));
});
