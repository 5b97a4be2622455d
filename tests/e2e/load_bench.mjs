// How heavy the dashboard is and how fast gaia_server serves it; figures only, nothing is
// asserted (docs/performance.md, "Dashboard"). Starts a real gaia_server like the browser
// tests do, then:
//   1. a cold load of /admin/quotas in headless Chromium: requests, bytes, time to the
//      sign-in form (DOMContentLoaded and the form shown);
//   2. a warm reload: the same requests revalidated (304, no bodies);
//   3. GET of every embedded file by Node's fetch, CONCURRENCY at a time, for SECONDS.
//
//   GAIA_SERVER=build/release/src/app/gaia_server node tests/e2e/load_bench.mjs
//   (SECONDS=10 CONCURRENCY=16)

import { chromium } from 'playwright-core';

import { GaiaServer } from './server.mjs';

const SECONDS = Number(process.env.SECONDS || 10);
const CONCURRENCY = Number(process.env.CONCURRENCY || 16);

const server = await GaiaServer.start(process.env.GAIA_SERVER);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await (await browser.newContext()).newPage();
  const seen = [];
  page.on('response', async (r) => {
    const body = r.status() === 200 ? (await r.body()).length : 0;
    seen.push({ url: r.url(), status: r.status(), body });
  });
  const load = async (label) => {
    seen.length = 0;
    const t0 = performance.now();
    await page.goto(`${server.base}/admin/quotas`, { waitUntil: 'domcontentloaded' });
    const dcl = performance.now() - t0;
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    const shown = performance.now() - t0;
    await page.waitForLoadState('networkidle');
    const statics = seen.filter((s) => s.url.includes('/admin/quotas'));
    const bytes = statics.reduce((a, s) => a + s.body, 0);
    const notModified = statics.filter((s) => s.status === 304).length;
    console.log(`${label}: ${statics.length} requests (${notModified} answered 304), ${bytes} body bytes, ` +
      `DOMContentLoaded ${dcl.toFixed(0)} ms, sign-in form shown ${shown.toFixed(0)} ms`);
  };
  await load('cold load');
  await load('warm reload');

  const paths = ['/admin/quotas', ...seen.filter((s) => s.url.includes('/admin/quotas/')).map((s) => new URL(s.url).pathname)];
  let done = 0;
  let bytes = 0;
  const end = performance.now() + SECONDS * 1000;
  const worker = async (i) => {
    for (let n = i; performance.now() < end; n++) {
      const res = await fetch(server.base + paths[n % paths.length]);
      bytes += (await res.arrayBuffer()).byteLength;
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
  const s = (performance.now() - t0) / 1000;
  console.log(`static files: ${done} GETs in ${s.toFixed(1)} s over ${paths.length} paths, ` +
    `${CONCURRENCY} at a time: ${(done / s).toFixed(0)} req/s, ${(bytes / s / 1e6).toFixed(1)} MB/s`);
} finally {
  await browser.close();
  await server.stop();
}
