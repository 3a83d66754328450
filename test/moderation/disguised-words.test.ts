import { buildSite, buildThread, postComment } from '../helpers/factories';
import { useParley } from '../helpers/parley';

/** Blocked and held words spelt to slip past the list, posted as a reader would. */
const parley = useParley({ PARLEY_RATE_LIMITS: 'off' });

it('rejects or holds l33t, look-alike, spaced and hyphenated spellings, and publishes ordinary numbers', async () => {
  const site = await buildSite(parley.database.db, { settings: { blockedWords: ['frobnicate'], heldWords: ['grumbleweed'] } });
  const thread = await buildThread(parley.database.db, site.id);
  const statusOf = async (body: string) => (await postComment(parley, thread.id, { body })).body.comment.status;
  for (const body of ['You fr0bn1c4te!', 'what a frobnic@te', 'frоbnicаte', 'f r o b n i c a t e', 'frob-nicate']) {
    expect([body, await statusOf(body)]).toEqual([body, 'rejected']);
  }
  expect(await statusOf('GRUMB1EW33D everywhere')).toBe('pending');
  expect(await statusOf('They were fined €20,000,000 in 2022, then €5.2 million: 3 times in 12 months.')).toBe('approved');
});
