import type { Server } from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * One full garbage collection once the server has been quiet for `idleMs` after traffic. V8 keeps
 * the heap it grew under load until its next major collection, and an idle process does not run one
 * by itself: in embedded mode (Parley and its database in one process, often on a small machine)
 * that was tens of megabytes resident for nothing, minutes after the last request. Costs one
 * collection per quiet spell, never during traffic.
 */
export function collectWhenIdle(server: Server, idleMs = 10_000): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') return () => {};
  let last = 0;
  let collected = true;
  const seen = () => {
    last = Date.now();
    collected = false;
  };
  server.on('request', seen);
  server.on('upgrade', seen);
  const timer = setInterval(() => {
    if (collected || Date.now() - last < idleMs) return;
    collected = true;
    gc();
  }, Math.max(1_000, idleMs / 4));
  timer.unref();
  return () => {
    clearInterval(timer);
    server.off('request', seen);
    server.off('upgrade', seen);
  };
}
