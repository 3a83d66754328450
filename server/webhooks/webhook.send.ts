import http from 'node:http';
import https from 'node:https';
import { guardedLookup, refusedAddress } from '../address';

export const SEND_TIMEOUT_MS = 10_000;
/**
 * How long a connection to a receiver stays open between sends: below the 5 s that Node's servers
 * keep one (a receiver that announces less, by `Keep-Alive: timeout`, is taken at its word).
 */
const IDLE_MS = 4_000;

/**
 * Connections are kept between sends to the same receiver (a thread's events go one after another:
 * a new connection, and for https a new handshake, before each made every send wait two more round
 * trips). The address rules still hold: only a new connection looks the name up, through the guarded
 * lookup, and a kept one stays with the address that was checked when it opened. One pool per
 * protocol and address rule, so a connection opened under one rule never serves the other.
 */
const agents = new Map<string, http.Agent>();
function agentFor(protocol: string, allowPrivate: boolean): http.Agent {
  const key = `${protocol}${allowPrivate}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, timeout: IDLE_MS, maxFreeSockets: 32 };
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

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
  return new Promise((resolve) => {
    const send = (again: boolean) =>
      sendOnce(target, headers, body, allowPrivate, timeoutMs, (r, unsent) => {
        if (unsent && !again) return send(true);
        resolve({ ...r, latencyMs: latency() });
      });
    send(false);
  });
}

function sendOnce(
  target: URL,
  headers: Record<string, string>,
  body: string,
  allowPrivate: boolean,
  timeoutMs: number,
  done: (r: Omit<SendResult, 'latencyMs'>, unsent: boolean) => void,
): void {
  let settled = false;
  const finish = (r: Omit<SendResult, 'latencyMs'>, unsent = false) => {
    if (settled) return;
    settled = true;
    done(r, unsent);
  };
  const client = target.protocol === 'https:' ? https : http;
  const req = client.request(
    target,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Parley-Webhooks', ...headers },
      lookup: guardedLookup(allowPrivate) as never,
      agent: agentFor(target.protocol, allowPrivate),
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
        finish({ status, error: ok ? null : `The receiver answered ${status}.`, body: Buffer.concat(chunks).toString('utf8').slice(0, 4096) });
      });
      res.on('error', (err) => finish({ status: res.statusCode ?? null, error: err.message, body: '' }));
    },
  );
  let answered = false;
  req.on('response', () => (answered = true));
  req.on('timeout', () => req.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)));
  // A kept connection the receiver closed just as this send went out fails before any answer: the
  // receiver never had the request (`unsent`), and it may go once more, on a new connection.
  req.on('error', (err: NodeJS.ErrnoException) => {
    const unsent = req.reusedSocket && !answered && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
    finish({ status: null, error: err.message, body: '' }, unsent);
  });
  // A whole-request deadline too: `timeout` alone only watches for idle sockets.
  const deadline = setTimeout(() => req.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)), timeoutMs);
  req.on('close', () => clearTimeout(deadline));
  req.end(body);
}
