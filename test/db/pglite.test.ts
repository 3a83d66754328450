import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirLockedError, migrateToLatest, openPglite } from '../../server/db';

describe('the embedded database', () => {
  it('keeps data across a clean close and refuses a second opener of the same directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pglite-'));
    try {
      const first = await openPglite({ dataDir: dir });
      await migrateToLatest(first.db);
      await first.db.insertInto('sites').values({ id: 'kept', name: 'Kept', origins: '[]', settings: '{}' }).execute();
      await expect(openPglite({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
      await first.close();

      const again = await openPglite({ dataDir: dir });
      const sites = await again.db.selectFrom('sites').select('id').execute();
      expect(sites).toEqual([{ id: 'kept' }]);
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes over the lock of a process that died without releasing it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pglite-'));
    try {
      // What a SIGKILLed holder leaves behind: a fresh lock directory and its pid.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      fs.mkdirSync(path.join(dir, 'parley.lock'));
      fs.writeFileSync(path.join(dir, 'parley.pid'), dead.stdout.toString());
      const handle = await openPglite({ dataDir: dir });
      expect(fs.readFileSync(path.join(dir, 'parley.pid'), 'utf8')).toBe(String(process.pid));
      await handle.close();
      expect(fs.existsSync(path.join(dir, 'parley.pid'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
