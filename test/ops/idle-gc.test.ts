import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { collectWhenIdle } from '../../server/idle-gc';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('embedded mode hands memory back when traffic stops', () => {
  it('runs one full collection after a quiet spell that follows requests, and none while idle from the start', async () => {
    const majors: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        // Only forced collections (gc(), as collectWhenIdle calls it): V8 runs major collections of
        // its own when a busy worker goes quiet (flagged as scheduled on idle), which say nothing here.
        const detail = (entry as unknown as { detail?: { kind?: number; flags?: number } }).detail;
        const forced = ((detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0;
        if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR && forced) majors.push(Date.now());
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stop = collectWhenIdle(server, 400);
    try {
      await sleep(1_500);
      const beforeTraffic = majors.length;
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      for (let i = 0; i < 5; i++) await (await fetch(url)).text();
      const lastRequest = Date.now();
      await sleep(2_000);
      expect(beforeTraffic).toBe(0);
      expect(majors.some((at) => at - lastRequest >= 400)).toBe(true);
    } finally {
      stop();
      observer.disconnect();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
