import { slackSignature } from '../../server/webhooks/slack.verify';
import { buildSite } from '../helpers/factories';
import { startTestParley, type TestParley } from '../helpers/parley';
import { member } from '../helpers/staff';
import { type Receiver, startReceiver } from './receiver';

let parley: TestParley;
let receiver: Receiver;
const SIGNING = 'slack-signing-secret-0123456789';
beforeAll(async () => {
  parley = await startTestParley({ PARLEY_WEBHOOKS_ALLOW_PRIVATE: 'true' });
  receiver = await startReceiver(() => 200);
});
afterAll(async () => {
  await parley.close();
  await receiver.close();
});
beforeEach(async () => {
  await parley.reset();
  receiver.received.length = 0;
});

async function setUp() {
  const site = await buildSite(parley.database.db, { settings: { moderation: 'pre' } });
  const admin = await member(parley, [[site.id, 'admin']], 'admin');
  const moderator = await member(parley, [[site.id, 'moderator']], 'moderator', { name: 'Mo Derator' });
  const created = await admin.call('post', `/sites/${site.id}/webhooks`, { kind: 'slack', url: receiver.url, signingSecret: SIGNING });
  expect(created.status).toBe(201);
  expect((await admin.call('put', `/sites/${site.id}/slack/links`, { slackUserId: 'U0MODERATOR', memberId: moderator.id })).status).toBe(200);
  const thread = await parley.http().post('/api/v1/threads/resolve').set('Origin', 'https://news.example').send({ site: site.id, key: 'slack', url: 'https://news.example/a/slack' });
  const posted = await parley.http().post(`/api/v1/threads/${thread.body.thread.id}/comments`).send({ body: 'Is this fine?', name: 'Reader' });
  expect(posted.body.comment.status).toBe('pending');
  await parley.app.deps.outbox.drain();
  return { site, threadId: thread.body.thread.id as string, commentId: posted.body.comment.id as string };
}

function form(user: string, action: string, commentId: string) {
  const payload = { type: 'block_actions', user: { id: user }, actions: [{ action_id: action, value: commentId }], response_url: `${receiver.url}/response` };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function send(siteId: string, body: string, opts: { secret?: string; at?: number; signature?: string } = {}) {
  const ts = String(opts.at ?? Math.floor(Date.now() / 1000));
  return parley
    .http()
    .post(`/api/v1/integrations/slack/${siteId}/actions`)
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .set('X-Slack-Request-Timestamp', ts)
    .set('X-Slack-Signature', opts.signature ?? slackSignature(opts.secret ?? SIGNING, ts, body))
    .send(body);
}

const statusOf = async (id: string) => (await parley.database.db.selectFrom('comments').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

describe('moderation from Slack', () => {
  it('posts a pending comment with buttons; a signed press decides it as the linked member and answers with the updated message', async () => {
    const { site, threadId, commentId } = await setUp();
    const message = JSON.parse(receiver.received[0]!.body);
    expect(JSON.stringify(message)).toContain('Is this fine?');
    const actions = message.blocks.find((b: { type: string }) => b.type === 'actions');
    expect(actions.elements.map((e: { action_id: string }) => e.action_id)).toEqual(['approve', 'reject', 'spam']);

    const res = await send(site.id, form('U0MODERATOR', 'approve', commentId));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('Approved by Mo Derator');
    expect(res.body.replace_original).toBe(true);
    expect(await statusOf(commentId)).toBe('approved');
    // Readers see it.
    const page = await parley.http().get(`/api/v1/threads/${threadId}/comments`);
    expect(JSON.stringify(page.body)).toContain('Is this fine?');
    // The original message is replaced through the response_url as well.
    const deadline = Date.now() + 10_000;
    while (!receiver.received.some((r) => r.body.includes('Approved by')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(receiver.received.some((r) => r.body.includes('Approved by Mo Derator'))).toBe(true);

    // Pressed again once decided (a new press: its own timestamp, so not a replay): the dashboard's 409 holds.
    const late = await send(site.id, form('U0MODERATOR', 'approve', commentId), { at: Math.floor(Date.now() / 1000) + 1 });
    expect(late.status).toBe(409);
  });

  it('decides nothing on a bad, stale or replayed signature, or for an unlinked Slack user', async () => {
    const { site, commentId } = await setUp();
    const body = form('U0MODERATOR', 'reject', commentId);
    expect((await send(site.id, body, { secret: 'not-the-secret-at-all' })).status).toBe(401);
    expect((await send(site.id, body, { at: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await send(site.id, body, { signature: 'v0=00' })).status).toBe(401);
    expect((await send(site.id, form('U0STRANGER', 'reject', commentId))).status).toBe(403);
    // A changed body under the original signature.
    const ts = Math.floor(Date.now() / 1000);
    const signature = slackSignature(SIGNING, String(ts), body);
    expect((await send(site.id, form('U0MODERATOR', 'spam', commentId), { at: ts, signature })).status).toBe(401);
    expect(await statusOf(commentId)).toBe('pending');

    const first = await send(site.id, body, { at: ts, signature });
    expect(first.status).toBe(200);
    expect(await statusOf(commentId)).toBe('rejected');
    const replayed = await send(site.id, body, { at: ts, signature });
    expect(replayed.status).toBe(401);
    // Another site's Slack secret decides nothing here.
    const other = await buildSite(parley.database.db);
    expect((await send(other.id, body)).status).toBe(401);
  });

  it('takes only the form Slack sends', async () => {
    const { site } = await setUp();
    const res = await parley.http().post(`/api/v1/integrations/slack/${site.id}/actions`).set('Content-Type', 'application/json').send({ payload: '{}' });
    expect(res.status).toBe(415);
  });
});
