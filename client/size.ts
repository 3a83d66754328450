import { buildWidget } from './build';

/** `npm run size`: the widget's weight, as the budget test measures it. */
export const BUDGET_BYTES = 30 * 1024;
/** Each optional part (sign-in, …), loaded only where a site uses it. */
export const OPTIONAL_BUDGET_BYTES = 4 * 1024;

async function main(): Promise<void> {
  const build = await buildWidget();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  for (const a of build.assets.values()) {
    process.stdout.write(`${a.path.padEnd(32)} ${kb(a.body.length).padStart(9)} raw ${kb(a.gzip.length).padStart(9)} gzip ${kb(a.brotli.length).padStart(9)} brotli\n`);
  }
  const ok = build.budgetBytes <= BUDGET_BYTES;
  process.stdout.write(`thread page total (gzip)     ${kb(build.budgetBytes)} of ${kb(BUDGET_BYTES)} budget: ${ok ? 'ok' : 'OVER BUDGET'}\n`);
  let optionalOk = true;
  for (const a of build.optional) {
    const fits = a.gzip.length <= OPTIONAL_BUDGET_BYTES;
    optionalOk &&= fits;
    process.stdout.write(`optional ${a.path.replace(/\.[\w-]+\.js$/, '.js').padEnd(19)} ${kb(a.gzip.length)} of ${kb(OPTIONAL_BUDGET_BYTES)} budget: ${fits ? 'ok' : 'OVER BUDGET'}\n`);
  }
  if (!ok || !optionalOk) process.exitCode = 1;
}

if (require.main === module) void main();
