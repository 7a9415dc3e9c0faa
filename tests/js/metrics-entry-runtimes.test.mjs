// librato-wasm/metrics as users build it: a Worker bundled by Wrangler (run in real workerd
// through Miniflare) and pages built by Vite and by webpack (run in Chromium), each importing
// both entries and sending the same calls to the strict local API on 127.0.0.1: the bodies are
// byte-identical.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, symlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Miniflare } from 'miniflare';
import { build } from 'vite';
import webpack from 'webpack';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { startStaticServer } from '../../dev/static-server.mjs';
import { launchChromium } from './browser-harness.mjs';
import { ROOT } from './helpers.mjs';

const USER = 'bundled@example.com';
const TOKEN = 'tok-bundled-5e1f';
let api;

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN }); });
after(async () => { await api.close(); });

// Runs in the Worker and in the page: the same calls on one class, with a fixed clock and a
// fetch that records each body before sending it on. Returns the bodies and the report.
const SCENARIO = `async function scenario(Class, url, user, token, api) {
  const bodies = [];
  const realFetch = globalThis.fetch;
  const recording = async (input, init) => { bodies.push(new TextDecoder().decode(init.body)); return realFetch(input, init); };
  globalThis.fetch = recording;
  try {
    let now = 1764000000000;
    const m = new Class({ api, api_user: user, api_token: token, api_url: url }, { now: () => now, percentiles: [50, 95], source: 'edge', tags: { app: 'shop' } });
    for (let i = 1; i <= 120; i++) m.timing('render', (i * 37) % 101, { tags: { page: i % 3 ? 'home' : 'cart' } });
    m.increment('views', 3);
    m.measure('nan', NaN);
    now += 60000;
    const r = await m.flush();
    return { bodies, ok: r.ok, sent: r.sent, skipped: r.skipped };
  } finally {
    globalThis.fetch = realFetch;
  }
}`;

function projectDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // The app's node_modules: this repository's, where 'librato-wasm' is the package (file:pkg).
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

test('workerd: a Wrangler-bundled Worker importing librato-wasm/metrics sends what the main entry sends', async () => {
  const dir = projectDir('metrics-wrangler-');
  try {
    writeFileSync(join(dir, 'index.mjs'), `import { LibratoMetrics as Main } from 'librato-wasm';
import { LibratoMetrics as Small } from 'librato-wasm/metrics';
${SCENARIO}
export default { async fetch(request, env) {
  const api = new URL(request.url).searchParams.get('api');
  const url = api === 'measurements' ? env.MEASUREMENTS_URL : env.API_URL;
  const out = {};
  for (const [name, Class] of [['main', Main], ['small', Small]]) out[name] = await scenario(Class, url, env.USER, env.TOKEN, api);
  return Response.json(out);
} };`);
    writeFileSync(join(dir, 'wrangler.toml'), 'name = "metrics-entry"\nmain = "index.mjs"\ncompatibility_date = "2026-04-01"\n');
    execFileSync(join(ROOT, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', 'out'], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    });
    const out = join(dir, 'out');
    const wasm = readdirSync(out).filter((f) => f.endsWith('.wasm'));
    assert.equal(wasm.length, 2, `one .wasm per entry: ${wasm}`);
    const mf = new Miniflare({
      modulesRoot: out,
      modules: [
        { type: 'ESModule', path: join(out, 'index.js'), contents: readFileSync(join(out, 'index.js'), 'utf8') },
        ...wasm.map((f) => ({ type: 'CompiledWasm', path: join(out, f), contents: readFileSync(join(out, f)) })),
      ],
      compatibilityDate: '2026-04-01',
      bindings: { USER, TOKEN, API_URL: api.url, MEASUREMENTS_URL: api.measurementsUrl },
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const url = (await mf.ready).href;
      for (const which of ['metrics', 'measurements']) {
        api.clear();
        const got = await (await fetch(`${url}?api=${which}`)).json();
        assert.deepEqual([got.small.ok, got.small.sent >= 4], [true, true], JSON.stringify(got.small));
        assert.deepEqual(got.small, got.main, which);
        assert.deepEqual(got.small.skipped.map((s) => [s.metric, s.count]), [['nan', 1]]);
        const received = api.received();
        const n = which === 'metrics' ? received.gauges.length : received.measurements.length;
        assert.equal(n, got.main.sent * 2, `${which}: both entries' series reached the API`);
        if (which === 'metrics') assert.ok(received.gauges.some((g) => g.name === 'render.95' && g.source === 'edge'));
      }
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Loads `site`'s page in Chromium and checks both entries send the same bodies, for both APIs. */
async function sameInChromium(site) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(site.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    for (const which of ['metrics', 'measurements']) {
      api.clear();
      const url = which === 'metrics' ? api.url : api.measurementsUrl;
      const got = await page.evaluate(([u, user, token, a]) => window.run(u, user, token, a), [url, USER, TOKEN, which]);
      assert.equal(got.small.ok, true, JSON.stringify(got.small));
      assert.deepEqual(got.small, got.main, which);
      const received = api.received();
      assert.equal(which === 'metrics' ? received.gauges.length : received.measurements.length, got.main.sent * 2);
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
}

// The page's script: both entries' LibratoMetrics, run by the page's test hook.
const PAGE_MAIN = `import { LibratoMetrics as Main } from 'librato-wasm';
import { LibratoMetrics as Small } from 'librato-wasm/metrics';
${SCENARIO}
window.run = async (url, user, token, api) => ({ main: await scenario(Main, url, user, token, api), small: await scenario(Small, url, user, token, api) });
document.body.dataset.ready = 'true';
`;

test('Chromium: a Vite-built page importing librato-wasm/metrics sends what the main entry sends', async () => {
  const dir = projectDir('metrics-vite-');
  let site;
  try {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="./main.js"></script></head><body></body></html>\n');
    writeFileSync(join(dir, 'main.js'), PAGE_MAIN);
    await build({ root: dir, logLevel: 'silent', configFile: false, build: { outDir: join(dir, 'dist'), target: 'es2022' } });
    const assets = readdirSync(join(dir, 'dist', 'assets'));
    assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `Vite emitted each entry's .wasm: ${assets}`);
    site = await startStaticServer({ root: dir, port: 0, mounts: [['/', ['dist'], null]] });
    await sameInChromium(site);
  } finally {
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Chromium: a webpack-built page importing librato-wasm/metrics sends what the main entry sends', async () => {
  const dir = projectDir('metrics-webpack-');
  let site;
  try {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'main.js'), PAGE_MAIN);
    // webpack 5's defaults: the `browser` condition, `new URL(..., import.meta.url)` as an
    // emitted asset, top-level await.
    const stats = await new Promise((resolve, reject) => webpack({
      mode: 'production', context: dir, entry: './main.js',
      output: { path: join(dir, 'dist'), filename: 'main.js' },
      infrastructureLogging: { level: 'error' },
    }, (err, s) => (err ? reject(err) : resolve(s))));
    assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
    const files = readdirSync(join(dir, 'dist'));
    assert.equal(files.filter((f) => f.endsWith('.wasm')).length, 2, `webpack emitted each entry's .wasm: ${files}`);
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><html><head><script src="./main.js"></script></head><body></body></html>\n');
    site = await startStaticServer({ root: dir, port: 0, mounts: [['/', ['dist'], null]] });
    await sameInChromium(site);
  } finally {
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
