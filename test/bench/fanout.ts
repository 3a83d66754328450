import fs from 'node:fs';
import { io, type Socket } from 'socket.io-client';

/**
 * Many idle readers on one thread, for the fan-out and memory scenarios: opens `count` WebSocket-only
 * Socket.IO connections (each its own connection, as browsers would), joins each to the room, and
 * measures the server process's resident memory before and after.
 */
export interface Crowd {
  sockets: Socket[];
  /** Server resident-memory growth per connected reader, in bytes. */
  bytesPerSocket: number;
  /** Milliseconds from `trigger()` until the last reader has an event whose payload passes `match`. */
  timeToLast(event: string, match: (payload: any) => boolean, trigger: () => Promise<unknown>, timeoutMs?: number): Promise<number>;
  close(): void;
}

export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) * 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function gather(
  url: string,
  count: number,
  join: (socket: Socket) => Promise<void>,
  serverPid: number,
): Promise<Crowd> {
  await sleep(1000);
  const before = rssOf(serverPid);
  const sockets: Socket[] = [];
  const BATCH = 100;
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, () =>
      io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000 }),
    );
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('connect', () => join(s).then(resolve, reject));
            s.once('connect_error', reject);
          }),
      ),
    );
    sockets.push(...batch);
  }
  // Idle: let the server settle (timers, buffers, a collection or two) before reading its memory.
  await sleep(3000);
  const after = rssOf(serverPid);
  return {
    sockets,
    bytesPerSocket: (after - before) / count,
    async timeToLast(event, match, trigger, timeoutMs = 60_000) {
      let left = sockets.length;
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      const handlers = sockets.map((s) => {
        let got = false;
        const h = (payload: unknown) => {
          if (got || !match(payload)) return;
          got = true;
          if (--left === 0) done();
        };
        s.on(event, h);
        return h;
      });
      const started = performance.now();
      await trigger();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${left} of ${sockets.length} readers never received ${event}`)), timeoutMs);
      });
      try {
        await Promise.race([all, timedOut]);
      } finally {
        clearTimeout(timer);
        sockets.forEach((s, i) => s.off(event, handlers[i]));
      }
      return performance.now() - started;
    },
    close() {
      for (const s of sockets) s.disconnect();
    },
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
