import fs from 'node:fs';
import { freePort } from '../bench/procs';
import type { Page } from 'playwright-core';
import { startTestParley, type TestParley } from '../helpers/parley';

/**
 * Parley listening where its PUBLIC_URL says: the dashboard's live stream only accepts Parley's
 * own origin, so the page must be served from exactly that address.
 */
export async function startDashboardParley(env: Record<string, string> = {}): Promise<TestParley> {
  const port = await freePort();
  return startTestParley({ PUBLIC_URL: `http://127.0.0.1:${port}`, PARLEY_RATE_LIMITS: 'off', ...env }, { port });
}

/** Signs in through the form, as a person would, and waits for the dashboard. */
export async function signInOnPage(page: Page, url: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${url}/moderate`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Every request of the page went to Parley's own origin (http and ws alike). */
export function foreignRequests(requests: string[], url: string): string[] {
  const origin = new URL(url);
  return requests.filter((r) => {
    // A download the page hands over itself (an export) is a blob of Parley's own origin: no request.
    if (r.startsWith(`blob:${origin.origin}/`)) return false;
    const u = new URL(r);
    return u.host !== origin.host || !['http:', 'ws:'].includes(u.protocol);
  });
}

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core from node_modules, evaluated in the page: the WCAG 2.2 A and AA rules. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    }),
  );
  return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
