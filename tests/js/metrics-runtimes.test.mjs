// LibratoMetrics in workerd (a Worker that records per request and flushes in waitUntil) and in
// Chromium (the browser entry), both sending to the strict local API on 127.0.0.1.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Miniflare } from 'miniflare';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { startStaticServer } from '../../dev/static-server.mjs';
import { launchChromium } from './browser-harness.mjs';
import { packageModules } from './worker-harness.mjs';
import { ROOT } from './helpers.mjs';

const USER = 'runtimes@example.com';
const TOKEN = 'tok-runtimes-9d3a';
let api;

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN }); });
after(async () => { await api.close(); });
beforeEach(() => api.clear());

test('workerd: record per request, ctx.waitUntil(metrics.flush()); a period is sent once it has ended', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-worker-'));
  const script = `import { LibratoMetrics } from 'librato-wasm';
let metrics;
export default { async fetch(request, env, ctx) {
  metrics ??= new LibratoMetrics({ api: 'measurements', api_token: env.TOKEN, api_url: env.API_URL }, { period: 2, tags: { worker: 'edge' } });
  const started = Date.now();
  const route = new URL(request.url).pathname;
  metrics.increment('requests', 1, { tags: { route } });
  metrics.timing('latency', Date.now() - started + 5, { tags: { route } });
  ctx.waitUntil(metrics.flush().then((r) => { if (!r.ok) console.error(JSON.stringify(r.failed)); }));
  return new Response('ok');
} };`;
  const mf = new Miniflare({
    modulesRoot: dir,
    modules: [
      { type: 'ESModule', path: join(dir, 'index.mjs'), contents: script },
    ...packageModules(dir),
    ],
    compatibilityDate: '2026-04-01',
    bindings: { TOKEN, API_URL: api.measurementsUrl },
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const url = (await mf.ready).href;
    // Start just after a period begins (2 s periods of the real clock), so that the five
    // requests fall in one period.
    await new Promise((r) => setTimeout(r, 2000 - (Date.now() % 2000) + 20));
    for (let i = 0; i < 5; i++) assert.equal(await (await fetch(`${url}a`)).text(), 'ok');
    assert.equal(api.received().measurements.length, 0, 'cheap while no period has ended: nothing sent');
    await new Promise((r) => setTimeout(r, 2000 - (Date.now() % 2000) + 20));
    await (await fetch(`${url}b`)).text();
    const until = Date.now() + 5000;
    while (api.received().measurements.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const got = api.received().measurements.filter((m) => m.tags.route === '/a');
    const requests = got.find((m) => m.name === 'requests');
    assert.equal(requests.value, 5);
    assert.deepEqual(requests.tags, { route: '/a', worker: 'edge' });
    const latency = got.find((m) => m.name === 'latency');
    assert.equal(latency.count, 5);
    assert.equal(latency.period, 2);
  } finally {
    await mf.dispose();
  }
});

test('Chromium: the browser entry aggregates and sends a period', async () => {
  const site = await startStaticServer({ root: ROOT, port: 0, apiUrl: api.url });
  let browser;
  try {
    // Inside the try: a browser that cannot start must not leave the server holding the process.
    browser = await launchChromium();
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(site.url);
    await page.waitForSelector('body[data-ready="true"]');
    const report = await page.evaluate(async ({ url, user, token }) => {
      const { LibratoMetrics } = await import('/pkg/browser.js');
      let now = 1_764_000_000_000;
      const m = new LibratoMetrics({ api_user: user, api_token: token, api_url: url }, { now: () => now, source: 'browser' });
      for (let i = 1; i <= 4; i++) m.measure('page.load', i * 100);
      m.increment('page.views');
      now += 60_000;
      const r = await m.flush();
      return { ok: r.ok, sent: r.sent };
    }, { url: api.url, user: USER, token: TOKEN });
    assert.deepEqual(report, { ok: true, sent: 2 });
    assert.deepEqual(api.received().gauges.map((g) => [g.name, g.source, g.count ?? null, g.value ?? null]), [
      ['page.load', 'browser', 4, null], ['page.views', 'browser', null, 1],
    ]);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await site.close();
  }
});
