import fs from 'node:fs';
import { chromium } from 'playwright-core';
(async () => {
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  const p = await b.newPage();
  await p.goto('http://127.0.0.1:1/').catch(() => {});
  await p.setContent('<p>x</p>');
  await p.addScriptTag({ content: fs.readFileSync('/tmp/solver.iife.js', 'utf8') });
  const res = await p.evaluate(async () => {
    const salt = 'abcdef0123456789abcdef0123456789?t=abcdefghij012345&expires=1790000000&';
    const s = (window as any).P.solver();
    const out: any = { main: [], worker: [] };
    for (let r = 0; r < 3; r++) { const t = performance.now(); s(salt, '0'.repeat(64), 0, 100000); out.main.push(Math.round(performance.now() - t)); }
    const src = `const s=(${String((window as any).P.solver)})();onmessage=e=>postMessage(s(...e.data))`;
    for (let r = 0; r < 3; r++) {
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      const t = performance.now();
      await new Promise((res) => { w.onmessage = res; w.postMessage([salt, '0'.repeat(64), 0, 100000]); });
      out.worker.push(Math.round(performance.now() - t)); w.terminate();
    }
    return out;
  });
  console.log('full 100,000 candidates (ms):', JSON.stringify(res));
  await b.close();
})();
