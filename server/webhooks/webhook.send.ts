import http from 'node:http';
import https from 'node:https';
import { guardedLookup, refusedAddress } from '../address';

export const SEND_TIMEOUT_MS = 10_000;

export interface SendResult {
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** The first bytes of the answer (Slack's response_url answers are read by nobody else). */
  body: string;
}

/**
 * One POST to a destination outside Parley. The address rules of SPEC §10 apply twice: to the URL
 * (https, no internal literal) and to every address the name resolves to at connection time (a
 * custom `lookup`), so a name that later resolves inside (DNS rebinding) is refused too. Redirects are
 * answers, never followed: a 3xx is a failure like any other non-2xx.
 */
export function postOut(url: string, headers: Record<string, string>, body: string, allowPrivate: boolean, timeoutMs = SEND_TIMEOUT_MS): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const latency = () => Number((process.hrtime.bigint() - started) / BigInt(1_000_000));
  const refused = refusedAddress(url, allowPrivate);
  if (refused) return Promise.resolve({ status: null, latencyMs: 0, error: `The address ${refused}.`, body: '' });
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, latencyMs: latency() });
    };
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Parley-Webhooks', ...headers },
        lookup: guardedLookup(allowPrivate) as never,
        // A fresh connection per send: a pooled socket would skip the lookup, and with it the check.
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          done({ status, error: ok ? null : `The receiver answered ${status}.`, body: Buffer.concat(chunks).toString('utf8').slice(0, 4096) });
        });
        res.on('error', (err) => done({ status: res.statusCode ?? null, error: err.message, body: '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)));
    req.on('error', (err) => done({ status: null, error: err.message, body: '' }));
    // A whole-request deadline too: `timeout` alone only watches for idle sockets.
    const deadline = setTimeout(() => req.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}
