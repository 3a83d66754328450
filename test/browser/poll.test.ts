import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newId } from '../../server/ids';
import * as pollRepo from '../../server/polls/poll.repo';
import { buildSite, buildThread } from '../helpers/factories';
import { articlePage, openPage, type PageLog, until, widget, type Publisher, useBrowserServers, openReader, closeReader } from '../helpers/browser';
import type { TestParley } from '../helpers/parley';
import { call } from '../helpers/reader';

jest.setTimeout(60_000);

let parley: TestParley;
let browser: Browser;
let publisher: Publisher;
let context: BrowserContext;
let page: Page;
let log: PageLog;
const servers = useBrowserServers();
const { pages } = servers;

beforeAll(() => {
  ({ parley, browser, publisher } = servers);
});

async function threadWithPoll(visibility: 'always' | 'after_vote' | 'after_close', kind: 'single' | 'multiple' = 'single') {
  const db = parley.database.db;
  const site = await buildSite(db, { origins: [publisher.origin] });
  const thread = await buildThread(db, site.id, { key: 'poll' });
  const options = ['A wave of your wand', 'A stroke of your pen', 'A Jedi mind-trick'].map((label) => ({ id: newId(), label }));
  const pollId = newId();
  await db.transaction().execute((trx) =>
    pollRepo.insertPoll(
      trx,
      {
        id: pollId,
        site_id: site.id,
        thread_id: thread.id,
        question: 'How would you resolve this stand-off?',
        kind,
        max_choices: kind === 'single' ? 1 : 2,
        visibility,
        network_cap: 50,
        closes_at: null,
        created_by: null,
      },
      options,
    ),
  );
  pages['/poll'] = articlePage(parley.url, { site: site.id, key: 'poll' });
  return { pollId, optionIds: options.map((o) => o.id) };
}

beforeEach(async () => {
  await parley.reset();
  ({ context, page, log } = await openReader(browser));
});
afterEach(() => closeReader({ context, log }));

const poll = (p: Page) => widget(p).getByRole('region', { name: 'How would you resolve this stand-off?' });

describe('the thread’s poll', () => {
  it('votes, shows results after the vote, changes and withdraws the vote', async () => {
    await threadWithPoll('after_vote');
    await page.goto(`${publisher.origin}/poll`);
    await poll(page).waitFor();
    await expect(poll(page).getByText('Results are shown once you have voted.').isVisible()).resolves.toBe(true);
    await expect(poll(page).locator('.bars').count()).resolves.toBe(0);

    await poll(page).getByRole('button', { name: 'Vote' }).click();
    await poll(page).getByRole('alert').getByText('Choose an answer first.').waitFor();

    await poll(page).getByRole('radio', { name: 'A Jedi mind-trick' }).check();
    await poll(page).getByRole('button', { name: 'Vote' }).click();
    await poll(page).getByText('1 person voted.').waitFor();
    await expect(poll(page).locator('.bars li.mine .opt').textContent()).resolves.toBe('A Jedi mind-trick ✓ your vote');
    await expect(poll(page).locator('.bars li.mine .pct').textContent()).resolves.toBe('100% · 1 vote');

    // The vote is the reader's: after a reload, still theirs.
    await page.reload();
    await poll(page).getByText('1 person voted.').waitFor();
    await poll(page).getByRole('button', { name: 'Change my vote' }).click();
    await expect(poll(page).getByRole('radio', { name: 'A Jedi mind-trick' }).isChecked()).resolves.toBe(true);
    await poll(page).getByRole('radio', { name: 'A stroke of your pen' }).check();
    await poll(page).getByRole('button', { name: 'Vote' }).click();
    await poll(page).locator('.bars li.mine').getByText('A stroke of your pen').waitFor();

    await poll(page).getByRole('button', { name: 'Withdraw my vote' }).click();
    await poll(page).getByRole('radio', { name: 'A stroke of your pen' }).waitFor();
    const ballots = await parley.database.db.selectFrom('poll_ballots').selectAll().execute();
    expect(ballots).toHaveLength(0);
  });

  it('keeps the answer a reader has ticked while changing their vote when others vote meanwhile', async () => {
    // Results shown after a vote: a live result makes the widget read the poll again, and that
    // fresh copy of the reader's own vote must not redraw the form under them.
    const { pollId, optionIds } = await threadWithPoll('after_vote');
    await page.goto(`${publisher.origin}/poll`);
    await poll(page).getByRole('radio', { name: 'A Jedi mind-trick' }).check();
    await poll(page).getByRole('button', { name: 'Vote' }).click();
    await poll(page).getByText('1 person voted.').waitFor();

    await poll(page).getByRole('button', { name: 'Change my vote' }).click();
    await poll(page).getByRole('radio', { name: 'A stroke of your pen' }).check();
    const other = await call(parley, 'put', `/polls/${pollId}/vote`, { optionIds: [optionIds[0]] });
    expect(other.status).toBe(200);
    await poll(page).getByText('2 people voted.').waitFor();
    await expect(poll(page).getByRole('radio', { name: 'A stroke of your pen' }).isChecked()).resolves.toBe(true);

    await poll(page).getByRole('button', { name: 'Vote' }).click();
    await poll(page).locator('.bars li.mine').getByText('A stroke of your pen').waitFor();
  });

  it('lets another reader vote too, and each sees the same totals', async () => {
    await threadWithPoll('always', 'multiple');
    await page.goto(`${publisher.origin}/poll`);
    await poll(page).getByText('Choose up to 2 answers.').waitFor();
    await poll(page).getByRole('checkbox', { name: 'A wave of your wand' }).check();
    await poll(page).getByRole('checkbox', { name: 'A Jedi mind-trick' }).check();
    await poll(page).getByRole('button', { name: 'Vote' }).click();
    await poll(page).getByText('1 person voted.').waitFor();

    const other = await browser.newContext();
    const { page: second } = await openPage(other);
    await second.goto(`${publisher.origin}/poll`);
    await poll(second).getByRole('checkbox', { name: 'A Jedi mind-trick' }).check();
    await poll(second).getByRole('button', { name: 'Vote' }).click();
    await poll(second).getByText('2 people voted.').waitFor();
    await expect(poll(second).locator('.bars li.mine .pct').textContent()).resolves.toBe('67% · 2 votes');
    await other.close();
  });

  it('keeps the answer a reader has ticked when someone else votes meanwhile', async () => {
    const { pollId, optionIds } = await threadWithPoll('always');
    await page.goto(`${publisher.origin}/poll`);
    await poll(page).getByText('No votes yet.').waitFor();
    // Live updates load after first paint: wait for the socket before the other vote.
    await until(() => Promise.resolve(log.requests.some((u) => u.startsWith('ws://'))), Boolean);
    await poll(page).getByRole('radio', { name: 'A stroke of your pen' }).check();

    const elsewhere = await parley.http().put(`/api/v1/polls/${pollId}/vote`).set('Content-Type', 'application/json').send({ optionIds: [optionIds[0]] });
    expect(elsewhere.status).toBe(200);
    await poll(page).getByText('1 person voted.').waitFor();
    await expect(poll(page).getByRole('radio', { name: 'A stroke of your pen' }).isChecked()).resolves.toBe(true);

    await poll(page).getByRole('button', { name: 'Vote' }).click();
    await poll(page).getByText('2 people voted.').waitFor();
    await expect(poll(page).locator('.bars li.mine .opt').textContent()).resolves.toBe('A stroke of your pen ✓ your vote');
  });

  it('votes with the keyboard alone', async () => {
    await threadWithPoll('always');
    await page.goto(`${publisher.origin}/poll`);
    await poll(page).waitFor();
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      const on = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('type'));
      if (on === 'radio') break;
    }
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(page).locator('.bars li.mine').getByText('A stroke of your pen').waitFor();
  });
});
