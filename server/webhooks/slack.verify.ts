import crypto from 'node:crypto';

export const SLACK_WINDOW_S = 5 * 60;

export type SlackRefusal = 'missing_signature' | 'stale_timestamp' | 'bad_signature';

/** Slack's v0 signature: `v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the app's signing secret. */
export function slackSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${crypto.createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/**
 * Checks a request from Slack against each of the site's signing secrets (a site may have several
 * Slack endpoints). Real time, not the schedules' clock: a signature is about when Slack sent it.
 * The comparison is constant-time, so the answer's timing tells nothing of the expected value.
 */
export function verifySlack(
  secrets: string[],
  headers: { timestamp?: string; signature?: string },
  rawBody: Buffer,
  nowS = Math.floor(Date.now() / 1000),
): SlackRefusal | null {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0=')) return 'missing_signature';
  if (Math.abs(nowS - Number(timestamp)) > SLACK_WINDOW_S) return 'stale_timestamp';
  const given = Buffer.from(signature, 'utf8');
  for (const secret of secrets) {
    const expected = Buffer.from(slackSignature(secret, timestamp, rawBody), 'utf8');
    if (expected.length === given.length && crypto.timingSafeEqual(expected, given)) return null;
  }
  return 'bad_signature';
}
