import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPglite } from '../../server/db';
import { hashSecret } from '../../server/ids';
import { checkPassword } from '../../server/members/password';
import { runInProcess } from '../helpers/cli';
import { openTestDataDir } from '../helpers/db';

/** The operator's tool, on its own embedded database in a temporary directory. */
async function cli(...argv: string[]) {
  const { code, stdout, stderr } = await runInProcess(argv);
  return { code, out: stdout, err: stderr };
}

describe('members and keys from the command line', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
  const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };
  beforeAll(async () => {
    process.env.DATABASE_URL = '';
    process.env.DATA_DIR = dataDir;
    // Not a first run: the directory starts migrated, as after `parley migrate`.
    await (await openTestDataDir(dataDir)).close();
  });
  afterAll(() => {
    Object.assign(process.env, saved);
    if (saved.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
    if (saved.DATA_DIR === undefined) delete process.env.DATA_DIR;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a member with a role, resets the password, and creates a key, each secret printed once', async () => {
    expect((await cli('sites:create', 'daily', '--name', 'The Daily Example')).code).toBe(0);

    const created = await cli('members:create', 'Paul@Newsroom.example', '--name', 'Paul Ducklin', '--site', 'daily', '--role', 'journalist');
    expect(created.code).toBe(0);
    const password = /Password \(shown only this once\): (\S+)/.exec(created.out)![1]!;
    expect(created.out).toContain('paul@newsroom.example (journalist of daily)');

    const again = await cli('members:create', 'paul@newsroom.example');
    expect(again.code).not.toBe(0);

    const reset = await cli('members:reset-password', 'paul@newsroom.example');
    expect(reset.code).toBe(0);
    const newPassword = /\(shown only this once\): (\S+)/.exec(reset.out)![1]!;

    const key = await cli('keys:create', 'daily', '--name', 'Newsroom CMS');
    expect(key.code).toBe(0);
    const secret = /(sk_[\w-]+)/.exec(key.out)![1]!;

    expect((await cli('keys:create', 'nowhere')).code).toBe(65);
    // Bad arguments are refused before the database is even opened.
    expect((await cli('members:create', 'x@y', '--role', 'boss', '--site', 'daily')).code).toBe(64);
    expect((await cli('members:create')).code).toBe(64);

    const handle = await openPglite({ dataDir });
    try {
      const member = await handle.db.selectFrom('members').selectAll().executeTakeFirstOrThrow();
      expect(member).toMatchObject({ email: 'paul@newsroom.example', name: 'Paul Ducklin' });
      expect(member.password_hash).toMatch(/^\$argon2id\$/);
      expect(await checkPassword(member.password_hash, newPassword)).toBe(true);
      expect(await checkPassword(member.password_hash, password)).toBe(false);
      const role = await handle.db.selectFrom('site_members').selectAll().executeTakeFirstOrThrow();
      expect(role).toMatchObject({ site_id: 'daily', member_id: member.id, role: 'journalist' });
      const keyRow = await handle.db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
      expect(keyRow).toMatchObject({ site_id: 'daily', name: 'Newsroom CMS', key_hash: hashSecret(secret) });
      const log = await handle.db.selectFrom('moderation_log').select(['action', 'actor_type']).orderBy('id').execute();
      expect(log).toEqual([
        { action: 'member.add', actor_type: 'system' },
        { action: 'key.create', actor_type: 'system' },
      ]);
    } finally {
      await handle.close();
    }
  }, 90_000);
});
