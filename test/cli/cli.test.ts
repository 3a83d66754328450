import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DatabaseHandle, openPglite, openPostgres } from '../../server/db';
import { type Ran, runInProcess } from '../helpers/cli';
import { openTestDatabase } from '../helpers/db';
import { DISQUS, snapshot, WXR } from '../imports/helpers';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The installed `parley` command, run as a separate process against a real database: the embedded
 * one in a data directory, or a database of its own on the PostgreSQL server when DATABASE_URL is set.
 * The first command creates the database, as on a new installation. Each process start costs seconds,
 * so the tests start one where the process itself matters (its exit code, the first run, output to a
 * pipe or a terminal) and run the other commands in this process (`runInProcess`).
 */
class Target {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
  url?: string;
  constructor(readonly name: string) {}

  async init() {
    const base = process.env.DATABASE_URL;
    if (!base) return;
    const db = `${new URL(base).pathname.slice(1) || 'parley'}_cli_${this.name}_w${process.env.JEST_WORKER_ID ?? '0'}`.replace(/[^a-z0-9_]/gi, '_');
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    const exists = await admin.query('select 1 from pg_database where datname = $1', [db]);
    if (exists.rowCount === 0) await admin.query(`create database "${db}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${db}`;
    this.url = url.toString();
    // Empty, as a new installation's would be (faster than dropping and creating the database).
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    await client.query('drop schema public cascade; create schema public');
    await client.end();
  }

  env() {
    return this.url ? { DATABASE_URL: this.url } : { DATABASE_URL: '', DATA_DIR: this.dataDir };
  }

  /** Opens the same database from the test, after the command has finished with it. */
  async open<T>(fn: (db: DatabaseHandle) => Promise<T>): Promise<T> {
    const handle = this.url ? openPostgres({ connectionString: this.url }) : await openPglite({ dataDir: this.dataDir });
    try {
      return await fn(handle);
    } finally {
      await handle.close();
    }
  }

  /** Commands run in this process on the same database, opened once for them all. */
  async commands<T>(fn: (cli: (args: string[]) => Promise<Ran>, handle: DatabaseHandle) => Promise<T>): Promise<T> {
    return this.open((handle) => fn((args) => runInProcess(args, handle), handle));
  }

  run(args: string[]): Promise<Ran> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/parley.js'), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...this.env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  remove() {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

describe('the parley command', () => {
  const a = new Target('a');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-files-'));
  beforeAll(async () => {
    await a.init();
  }, 120_000);
  afterAll(() => {
    a.remove();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('explains every command with --help, and answers wrong usage with exit code 64', async () => {
    // The installed command's own exit codes, from real processes.
    const help = await a.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: parley/);
    expect(help.stdout).toMatch(/import \[options\] <file>/);
    expect(help.stdout).toMatch(/Exit codes: 0 done, 1 failed, 64 wrong usage, 65/);
    const unknown = await a.run(['frobnicate']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);

    for (const command of ['migrate', 'sites:list', 'sites:create', 'import', 'export']) {
      const { code, stdout } = await runInProcess([command, '--help']);
      expect({ command, code }).toEqual({ command, code: 0 });
      expect(stdout).toMatch(/^Usage: parley/);
    }
    expect((await runInProcess([])).code).toBe(64);
    const noFormat = await runInProcess(['import', WXR, '--site', 'ns']);
    expect(noFormat.code).toBe(64);
    expect(noFormat.stderr).toMatch(/--format/);
    const badFormat = await runInProcess(['import', WXR, '--site', 'ns', '--format', 'csv']);
    expect(badFormat.code).toBe(64);
    expect(badFormat.stderr).toMatch(/Allowed choices are wxr, disqus, parley/);
  }, 120_000);

  it('imports, refuses a bad file without changing anything, exports, and restores into an empty database', async () => {
    // The first command creates the embedded database, as on a new installation.
    expect((await a.run(['sites:create', 'naked-security', '--name', 'Naked Security', '--origin', 'https://nakedsecurity.sophos.com'])).code).toBe(0);
    const wxr = await a.run(['import', WXR, '--site', 'naked-security', '--format', 'wxr']);
    expect(wxr.code).toBe(0);
    expect(wxr.stdout).toMatch(/Threads: 2 created/);
    expect(wxr.stdout).toMatch(/Comments: 43 imported \(40 approved, 1 pending, 1 spam, 1 deleted\)/);
    expect(wxr.stdout).toMatch(/1 × pingbacks and trackbacks are not reader comments \(line \d+ id 6004\)/);
    // Not a terminal: no progress bar in the output.
    expect(wxr.stderr).toBe('');

    const before = await a.open((h) => snapshot(h.db));
    const cut = path.join(tmp, 'cut.xml');
    fs.writeFileSync(cut, fs.readFileSync(WXR, 'utf8').split('\n').slice(0, 300).join('\n'));
    const bad = await a.run(['import', cut, '--site', 'naked-security', '--format', 'wxr']);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toMatch(/cut\.xml: line \d+, column \d+: the XML is not well-formed: unclosed tag/);
    expect(bad.stderr).toMatch(/Nothing was imported: the database is as it was/);

    const archive = path.join(tmp, 'naked-security.jsonl');
    await a.commands(async (cli, handle) => {
      expect(await snapshot(handle.db)).toEqual(before);
      const missingSite = await cli(['import', WXR, '--site', 'nope', '--format', 'wxr']);
      expect(missingSite.code).toBe(1);
      expect(missingSite.stderr).toMatch(/The site "nope" was not found/);

      const dry = await cli(['import', WXR, '--site', 'naked-security', '--format', 'wxr', '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^Dry run \(nothing was written\)/);
      expect(dry.stdout).toMatch(/43 already imported before/);
      expect(await snapshot(handle.db)).toEqual(before);

      const json = await cli(['import', DISQUS, '--site', 'naked-security', '--format', 'disqus', '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ format: 'disqus', threads: { created: 1, matched: 1 }, comments: { total: 19 } });

      const exported = await cli(['export', '--site', 'naked-security', '--out', archive]);
      expect(exported.code).toBe(0);
      expect(exported.stderr).toMatch(/Exported site "naked-security" to .*: 1 site, 3 threads, \d+ commenters, 62 comments/);
    });

    // Restored into an empty database (a separate one of this worker's), then exported again: the same archive.
    const empty = await openTestDatabase('_cli_restore');
    try {
      const restored = await runInProcess(['import', archive, '--site', 'naked-security', '--format', 'parley'], empty);
      expect(restored.code).toBe(0);
      expect(restored.stdout).toMatch(/Comments: 62 imported/);
      const second = await runInProcess(['export', '--site', 'naked-security'], empty);
      const strip = (text: string) => text.split('\n').filter((l) => !l.includes('"type":"header"')).sort();
      expect(strip(second.stdout)).toEqual(strip(fs.readFileSync(archive, 'utf8')));
    } finally {
      await empty.close();
    }
  }, 180_000);

  const hasScript = fs.existsSync('/usr/bin/script');
  (hasScript ? it : it.skip)('shows a progress bar on a terminal', async () => {
    await a.commands((cli) => cli(['sites:create', 'tty', '--name', 'On a terminal']));
    const command = `"${process.execPath}" bin/parley.js import "${WXR}" --site tty --format wxr --dry-run`;
    // `script` gives the command a pseudo-terminal, as a person running it would.
    const { stdout } = await new Promise<{ stdout: string }>((resolve) => {
      const child = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...a.env() } });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.on('exit', () => resolve({ stdout: out }));
    });
    expect(stdout).toMatch(/Checking \[[^\]]+\] 100% \| 0\.1 MB of 0\.1 MB \| 43 comments/);
    expect(stdout).toMatch(/Linking replies to their parents/);
    expect(stdout).toMatch(/Dry run \(nothing was written\)/);
  }, 120_000);
});
